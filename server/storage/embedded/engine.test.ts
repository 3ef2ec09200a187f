import { BSON, ObjectId } from 'bson';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
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

describe('checkpoints', () => {
  const snapshotsIn = async (dir: string) => (await readdir(dir)).filter((f) => /^snapshot-\d+\.bson$/.test(f)).sort();
  const insertMany = async (engine: Engine, from: number, count: number) => {
    for (let i = from; i < from + count; i += 10) {
      const batch = engine.newBatch();
      for (let k = i; k < Math.min(from + count, i + 10); k++) engine.write(batch, { op: 'ins', ns: 'db.c', doc: { _id: k, text: 'x'.repeat(1000) } });
      await engine.commit(batch);
    }
  };

  it('wait until the journal is as large as the last snapshot, so a big database is not rewritten for every few MB written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapport-engine-'));
    dirs.push(dir);
    const engine = await Engine.open({ dataDir: dir, checkpointBytes: 16 * 1024 });
    await insertMany(engine, 0, 300);
    // The first awaits a checkpoint the 16 KB minimum may have started; the second covers all 300.
    await engine.checkpoint();
    await engine.checkpoint();
    const [first] = await snapshotsIn(dir);
    const snapshotSize = (await stat(join(dir, first!))).size;
    expect(snapshotSize).toBeGreaterThan(300 * 1000);
    expect(engine.checkpointThreshold()).toBe(snapshotSize);

    // About 100 KB journalled: past the 16 KB minimum, short of the snapshot's size.
    await insertMany(engine, 300, 100);
    await new Promise((r) => setTimeout(r, 50));
    expect(await snapshotsIn(dir)).toEqual([first]);

    // Past the snapshot's size: the next checkpoint starts by itself.
    await insertMany(engine, 400, 250);
    await expect.poll(() => snapshotsIn(dir), { timeout: 10_000 }).not.toEqual([first]);
    await engine.close();

    const reopened = await Engine.open({ dataDir: dir, checkpointBytes: 16 * 1024 });
    expect(reopened.store('db.c')?.docs.size).toBe(650);
    const [newest] = (await snapshotsIn(dir)).slice(-1);
    expect(reopened.checkpointThreshold()).toBe((await stat(join(dir, newest!))).size);
    await reopened.close();
  });
});
