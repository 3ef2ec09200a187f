import { BSON, Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { RawDocs, serializeReply } from './raw-reply.ts';

describe('serializeReply', () => {
  const docs = [{ _id: new ObjectId(), name: 'Ada', tags: ['a', 'b'] }, { _id: 2, nested: { deep: [1, { x: null }] } }];

  it.each(['firstBatch', 'nextBatch'])('splices pre-serialized documents into cursor.%s', (key) => {
    const raw = new RawDocs(docs.map((d) => BSON.serialize(d)));
    const reply = { cursor: { [key]: raw, id: Long.fromNumber(42), ns: 'crm.contacts' }, ok: 1 };
    const plain = { cursor: { [key]: docs, id: Long.fromNumber(42), ns: 'crm.contacts' }, ok: 1 };
    expect(BSON.deserialize(serializeReply(reply))).toEqual(BSON.deserialize(BSON.serialize(plain)));
  });

  it('handles an empty batch and replies without a cursor', () => {
    const empty = serializeReply({ cursor: { firstBatch: new RawDocs([]), id: Long.ZERO, ns: 'a.b' }, ok: 1 });
    expect(BSON.deserialize(empty)).toMatchObject({ cursor: { firstBatch: [], ns: 'a.b' }, ok: 1 });
    expect(BSON.deserialize(serializeReply({ n: 3, ok: 1 }))).toEqual({ n: 3, ok: 1 });
  });
});
