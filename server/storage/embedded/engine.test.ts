import { BSON, ObjectId } from 'bson';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine, type JournalOp } from './engine.ts';
import { parseRecords } from './record-file.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe('the journal', () => {
  it('holds each command as one record whose payload is its ops serialized whole, one after another', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapport-engine-'));
    dirs.push(dir);
    // A huge checkpoint threshold and no close: the journal is read as the writes left it.
    const engine = await Engine.open({ dataDir: dir, checkpointBytes: 1024 ** 3 });
    const ops: JournalOp[] = [
      { op: 'ins', ns: 'db.c', doc: { _id: new ObjectId(), name: 'Zoë', tags: ['a'], at: new Date(0) } },
      { op: 'put', ns: 'db.c', doc: { _id: 2, n: 1.5 } },
      { op: 'createIndex', ns: 'db.c', spec: { name: 'n_1', key: { n: 1 } } },
    ];
    const batch = engine.newBatch();
    for (const op of ops.slice(0, 1)) engine.write(batch, op);
    await engine.commit(batch);
    const second = engine.newBatch();
    engine.write(second, { op: 'ins', ns: 'db.c', doc: { _id: 2, n: 1 } });
    for (const op of ops.slice(1)) engine.write(second, op);
    await engine.commit(second);
    const journal = (await readdir(dir)).find((f) => f.startsWith('journal-'))!;
    const { payloads } = parseRecords(await readFile(join(dir, journal)));
    expect(payloads.map((p) => p.toString('hex'))).toEqual([
      Buffer.from(BSON.serialize(ops[0]!)).toString('hex'),
      Buffer.concat([BSON.serialize({ op: 'ins', ns: 'db.c', doc: { _id: 2, n: 1 } }), ...ops.slice(1).map((op) => BSON.serialize(op))]).toString('hex'),
    ]);
    await engine.close();
  });
});
