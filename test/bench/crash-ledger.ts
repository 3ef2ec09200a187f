// What the crash load attempted and what the engine answered, per document key, and the rules a
// recovered document is judged by (issue 2, item 7).

/** Full document content; null stands for "no document with this _id". */
export type DocState = Record<string, unknown> | null;

/**
 * acked: the engine acknowledged it (must survive a crash); rejected: the engine refused it with an
 * error it returned (must never appear); unknown: no answer (in flight at the kill): may or may not.
 */
export type AttemptStatus = 'pending' | 'acked' | 'rejected' | 'unknown';

export type Attempt = { state: DocState; status: AttemptStatus };

/** versions[0] is the state known to be durable before this cycle (initially: absent). */
export type DocRecord = { key: string; versions: Attempt[] };

export type Ledger = Map<string, DocRecord>;

/**
 * lost: an older version than the last acknowledged one; rejected-applied: a write the engine refused
 * is visible; corrupt: matches no attempted version (half-written); regressed: differs from what the
 * previous recovery served, with no write since.
 */
export type Verdict = 'ok' | 'lost' | 'rejected-applied' | 'corrupt' | 'regressed';

export type Judgement = { verdict: Verdict; lostAcks: number };

export function createLedger(): Ledger {
  return new Map();
}

/** Records an attempt before it is sent; the caller sets its status from the answer. */
export function recordAttempt(ledger: Ledger, key: string, state: DocState): Attempt {
  let record = ledger.get(key);
  if (!record) {
    record = { key, versions: [{ state: null, status: 'acked' }] };
    ledger.set(key, record);
  }
  const attempt: Attempt = { state, status: 'pending' };
  record.versions.push(attempt);
  return attempt;
}

/**
 * The observed document must be one whole attempted version, no older than the last acknowledged
 * one. Attempts still pending count as unknown (the load is over when this runs). A record with no
 * attempt this cycle must still be exactly what was served after the previous recovery.
 */
export function judge(record: DocRecord, observed: DocState): Judgement {
  const { versions } = record;
  const matches = (v: Attempt): boolean => sameDoc(v.state, observed);
  const lastAcked = findLastIndex(versions, (v) => v.status === 'acked');
  if (versions.some((v, i) => i >= lastAcked && v.status !== 'rejected' && matches(v))) return { verdict: 'ok', lostAcks: 0 };
  if (versions.length === 1) return { verdict: 'regressed', lostAcks: 0 };
  const matched = findLastIndex(versions, matches);
  // Acknowledged attempts after the version found (after the base one if none matches) are lost.
  const lostAcks = versions.slice(Math.max(matched, 0) + 1).filter((v) => v.status === 'acked').length;
  if (matched === -1) return { verdict: 'corrupt', lostAcks };
  return { verdict: versions[matched]!.status === 'rejected' ? 'rejected-applied' : 'lost', lostAcks };
}

/** What was served after recovery is now the durable state: later crashes must not change it. */
export function settle(record: DocRecord, observed: DocState): void {
  record.versions = [{ state: observed, status: 'acked' }];
}

export function countByStatus(ledger: Ledger): Record<AttemptStatus, number> {
  const counts: Record<AttemptStatus, number> = { pending: 0, acked: 0, rejected: 0, unknown: 0 };
  for (const record of ledger.values()) for (const v of record.versions.slice(1)) counts[v.status]++;
  return counts;
}

function findLastIndex<T>(items: T[], test: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (test(items[i]!)) return i;
  return -1;
}

/** Deep equality, key order ignored (an engine may reorder fields on update), array order kept. */
export function sameDoc(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((item, i) => sameDoc(item, (b as unknown[])[i]));
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  return keysA.length === keysB.length && keysA.every((k) => Object.hasOwn(b, k) && sameDoc((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
