import { BSON, Decimal128, Long, ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { documentOf, elementHeader, elementsOf, rawArray, TYPE_ARRAY, TYPE_DOCUMENT } from './bson-splice.ts';

const doc = { _id: new ObjectId(), name: 'Zoë', n: 3, big: Long.fromString('9007199254740993'), price: Decimal128.fromString('1.10'), at: new Date(0), tags: ['a', { b: null }], nested: { deep: { x: true } } };

describe('BSON spliced from serialized pieces', () => {
  it('is byte for byte what serializing the whole gives: a document holding another', () => {
    const spliced = documentOf([elementsOf({ op: 'ins', ns: 'db.c' }), elementHeader(TYPE_DOCUMENT, 'doc'), BSON.serialize(doc)]);
    expect(Buffer.from(spliced).equals(Buffer.from(BSON.serialize({ op: 'ins', ns: 'db.c', doc })))).toBe(true);
  });

  it('and a snapshot chunk of documents', () => {
    const docs = [doc, { _id: 2 }, { _id: 'three', s: 'x'.repeat(300) }];
    const spliced = documentOf([elementsOf({ t: 'docs', ns: 'db.c' }), elementHeader(TYPE_ARRAY, 'docs'), rawArray(docs.map((d) => BSON.serialize(d)))]);
    expect(Buffer.from(spliced).equals(Buffer.from(BSON.serialize({ t: 'docs', ns: 'db.c', docs })))).toBe(true);
  });
});
