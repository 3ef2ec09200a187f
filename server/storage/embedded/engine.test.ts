import { BSON, ObjectId } from 'bson';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Engine } from './engine.ts';
import type { JournalOp } from './journal-ops.ts';
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

describe('writes with writeConcern j: false (durable: false)', () => {
  const ins = (engine: Engine, _id: number): ReturnType<Engine['newBatch']> => {
    const batch = engine.newBatch();
    engine.write(batch, { op: 'ins', ns: 'db.c', doc: { _id } });
    return batch;
  };
  const journalled = async (dir: string): Promise<unknown[]> => {
    const journal = (await readdir(dir)).find((f) => f.startsWith('journal-'))!;
    return parseRecords(await readFile(join(dir, journal))).payloads.map((p) => (BSON.deserialize(p).doc as { _id: number })._id);
  };

  it('are answered before the disk, and written with the next durable write, in order', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapport-engine-'));
    dirs.push(dir);
    // A minute's commit interval: only the durable write below can have written them.
    const engine = await Engine.open({ dataDir: dir, commitIntervalMs: 60_000 });
    await engine.commit(ins(engine, 1), { durable: false });
    await engine.commit(ins(engine, 2), { durable: false });
    expect(engine.store('db.c')?.docs.size).toBe(2);
    expect(await journalled(dir)).toEqual([]);
    await engine.commit(ins(engine, 3));
    expect(await journalled(dir)).toEqual([1, 2, 3]);
    await engine.close();
  });

  it('reach the disk within the commit interval when no durable write comes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapport-engine-'));
    dirs.push(dir);
    const engine = await Engine.open({ dataDir: dir, commitIntervalMs: 50 });
    await engine.commit(ins(engine, 1), { durable: false });
    await expect.poll(() => journalled(dir), { timeout: 5000 }).toEqual([1]);
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

  it('that are due wait for the writes to pause, so a burst of writes does not wait for one', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapport-engine-'));
    dirs.push(dir);
    const engine = await Engine.open({ dataDir: dir, checkpointBytes: 16 * 1024, checkpointIdleMs: 300 });
    // About 30 KB: past the 16 KB threshold, short of 4 times it.
    await insertMany(engine, 0, 30);
    // Writes go on every 100 ms (18 KB more, still short of 64 KB): the checkpoint keeps waiting.
    for (let round = 0; round < 6; round++) {
      await new Promise((r) => setTimeout(r, 100));
      await insertMany(engine, 30 + round * 3, 3);
      expect(await snapshotsIn(dir)).toEqual([]);
    }
    // They pause: it starts.
    await expect.poll(() => snapshotsIn(dir), { timeout: 10_000 }).toHaveLength(1);
    await engine.close();
    const reopened = await Engine.open({ dataDir: dir });
    expect(reopened.store('db.c')?.docs.size).toBe(48);
    await reopened.close();
  });

  it('start without a pause once the journal is 4 times the threshold, so writes that never stop cannot put them off', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rapport-engine-'));
    dirs.push(dir);
    // A pause would have to last a minute: any checkpoint below comes from the journal's size.
    const engine = await Engine.open({ dataDir: dir, checkpointBytes: 16 * 1024, checkpointIdleMs: 60_000 });
    await insertMany(engine, 0, 50);
    await new Promise((r) => setTimeout(r, 200));
    expect(await snapshotsIn(dir)).toEqual([]);
    await insertMany(engine, 50, 20);
    await expect.poll(() => snapshotsIn(dir), { timeout: 10_000 }).toHaveLength(1);
    await engine.close();
  });
});
