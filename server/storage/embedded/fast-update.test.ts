import { ObjectId } from 'bson';
import { updateOne } from 'mingo';
import { cloneDeep } from 'mingo/util';
import { describe, expect, it } from 'vitest';
import type { Doc } from './collection-store.ts';
import { fastUpdate } from './fast-update.ts';

const e1 = new ObjectId();
const e2 = new ObjectId();
const base: Doc = { _id: 1, name: 'Ada', n: 5, address: { city: 'London', geo: { lat: 51 } }, tags: ['a'], _outbox: [{ id: e1, type: 'created' }, { id: e2, type: 'updated' }] };

/** What mingo (the reference implementation) makes of the same update. */
function reference(doc: Doc, ops: Doc): Doc {
  const docs = [cloneDeep(doc) as Doc];
  updateOne(docs, {}, ops as never);
  return docs[0]!;
}

describe('fastUpdate agrees with mingo', () => {
  it.each<[string, Doc]>([
    ['$set a new top-level field', { $set: { email: 'ada@example.org' } }],
    ['$set an existing field', { $set: { name: 'Grace' } }],
    ['$set a nested path', { $set: { 'address.city': 'Paris' } }],
    ['$set through a missing parent', { $set: { 'profile.title': 'Countess' } }],
    ['$unset a field', { $unset: { name: '' } }],
    ['$unset a nested field', { $unset: { 'address.geo.lat': '' } }],
    ['$unset a missing field', { $unset: { nothing: '' } }],
    ['$inc an existing number', { $inc: { n: 2 } }],
    ['$inc a missing field', { $inc: { visits: 1 } }],
    ['$pull of the embedded documents an $in matches', { $pull: { _outbox: { id: { $in: [e1] } } } }],
    ['$pull of every embedded document', { $pull: { _outbox: { id: { $in: [e1, e2] } } } }],
    ['$pull by two fields', { $pull: { _outbox: { id: e2, type: 'updated' } } }],
    ['$pull that matches nothing', { $pull: { _outbox: { type: 'deleted' } } }],
    ['$pull from a missing field', { $pull: { nothing: { id: e1 } } }],
    ['several operators', { $set: { name: 'B', 'address.zip': 'N1' }, $inc: { n: -1 }, $unset: { tags: '' } }],
  ])('%s', (_name, ops) => {
    const fast = fastUpdate(base, ops);
    expect(fast).toBeDefined();
    expect(fast).toEqual(reference(base, ops));
  });

  it('never modifies the stored document', () => {
    const before = JSON.stringify(base);
    fastUpdate(base, { $set: { 'address.city': 'Rome' }, $inc: { n: 1 }, $unset: { name: '' } });
    expect(JSON.stringify(base)).toBe(before);
  });

  it('returns the same object when nothing changes', () => {
    expect(fastUpdate(base, { $set: { name: 'Ada' }, $unset: { missing: '' }, $inc: { n: 0 } })).toBe(base);
  });

  it.each<[string, Doc]>([
    ['positional paths', { $set: { 'tags.$': 'b' } }],
    ['numeric path segments', { $set: { 'tags.0': 'b' } }],
    ['a path through a non-object', { $set: { 'name.first': 'A' } }],
    ['$inc of a non-number', { $inc: { name: 1 } }],
    ['other operators', { $push: { tags: 'b' } }],
    ['$pull of a scalar', { $pull: { tags: 'a' } }],
    ['$pull with an operator condition', { $pull: { tags: { $in: ['a'] } } }],
    ['$pull from an array of scalars by a field condition', { $pull: { tags: { id: e1 } } }],
    ['$pull from a non-array', { $pull: { name: { id: e1 } } }],
    ['$pull with a condition the fast matcher does not know', { $pull: { _outbox: { id: { $gt: e1 } } } }],
  ])('leaves %s to mingo', (_name, ops) => {
    expect(fastUpdate(base, ops)).toBeUndefined();
  });
});
