/**
 * Values read from the database and kept for a short time, such as an entity's duplicate rules or
 * the title templates, which every write consults. Callers at the same moment share one read, a
 * failed read is not kept, and `peek` gives a value already read without waiting for anything: a
 * step that runs for every row of an import need not await what it already has.
 */
export type TtlCache<K, V> = {
  /** The value, read again once it is older than the cache's time. */
  get(key: K): Promise<V>;
  /** The value if it has been read and is not too old; otherwise undefined (call `get`). */
  peek(key: K): V | undefined;
  /** Forgets one key (it changed), or everything. */
  forget(key?: K): void;
};

type Entry<V> = { at: number; value: Promise<V>; read?: { value: V } };

export function ttlCache<K, V>(read: (key: K) => Promise<V>, ms: number): TtlCache<K, V> {
  const entries = new Map<K, Entry<V>>();
  const fresh = (entry: Entry<V> | undefined): entry is Entry<V> => !!entry && Date.now() - entry.at < ms;
  return {
    get(key) {
      const hit = entries.get(key);
      if (fresh(hit)) return hit.value;
      const entry: Entry<V> = { at: Date.now(), value: read(key) };
      entries.set(key, entry);
      entry.value.then(
        (value) => void (entry.read = { value }),
        () => entries.get(key) === entry && entries.delete(key),
      );
      return entry.value;
    },
    peek(key) {
      const hit = entries.get(key);
      return fresh(hit) ? hit.read?.value : undefined;
    },
    forget(key) {
      if (key === undefined) entries.clear();
      else entries.delete(key);
    },
  };
}
