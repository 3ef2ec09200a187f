/**
 * A batch of new records' audit document (issue 5) reads, for each of its records, as the entry
 * the record would have had on its own; a record not written (or not audited) has none.
 */
import { describe, expect, it } from 'vitest';
import { Binary, BSON, ObjectId } from 'mongodb';
import { batchEntries, entryOf, eventsOf, type StoredEvent } from './audit-batches.ts';

const created = (entity: string, values: Record<string, unknown>): StoredEvent => ({ id: new ObjectId(), type: 'created', entity, recordId: new ObjectId(), at: new Date(), actorId: 'u1', channel: 'import', values });
const blobOf = (events: StoredEvent[]) => new Binary(BSON.serialize({ events }));
const own = ({ id, ...rest }: StoredEvent) => ({ _id: id, ...rest });

describe('a batch audit document', () => {
  const events = Array.from({ length: 5 }, (_, i) => created('contact', { name: `N${i}`, notes: 'x'.repeat(i * 300), nested: { n: i } }));
  const blob = blobOf(events);
  const batchId = new ObjectId();

  it('gives each record its own entry, first, middle and last, and none to a record it does not hold', () => {
    const [entry] = batchEntries(batchId, blob, events, events);
    expect(entry).toMatchObject({ _id: batchId, entity: 'contact', recordId: events.map((e) => e.recordId) });
    // The blob the outbox stored is kept as it is: nothing is serialized again.
    expect(entry!.events).toBe(blob);
    for (const at of [0, 2, 4]) expect(entryOf(entry!, events[at]!.recordId)).toEqual(own(events[at]!));
    expect(entryOf(entry!, new ObjectId())).toBeUndefined();
  });

  it('keeps only the events given as kept (records written and audited), in a blob of their own', () => {
    const kept = [events[1]!, events[3]!];
    const [entry] = batchEntries(batchId, blob, events, kept);
    expect(entry!.recordId).toEqual(kept.map((e) => e.recordId));
    expect(eventsOf(entry!.events as Binary).map((e) => String(e.id))).toEqual(kept.map((e) => String(e.id)));
    expect(entryOf(entry!, events[3]!.recordId)).toEqual(own(events[3]!));
    expect(entryOf(entry!, events[0]!.recordId)).toBeUndefined();
    expect(batchEntries(batchId, blob, events, [])).toEqual([]);
  });

  it('falls back to an entry per record when the events are of several entities', () => {
    const mixed = [created('contact', { a: 1 }), created('account', { b: 2 })];
    const entries = batchEntries(batchId, blobOf(mixed), mixed, mixed);
    expect(entries).toEqual(mixed.map(own));
    // A per-record entry reads as itself.
    expect(entryOf(entries[1]!, mixed[1]!.recordId)).toBe(entries[1]);
  });
});
