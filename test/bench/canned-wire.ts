import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { ObjectId } from 'mongodb';
import { makeContact } from './contact-fixture.ts';

// The wire floor of the storage benchmark: a server on its own thread, as the engine runs, that
// answers every command with a prebuilt reply (canned-wire-worker.ts). What the driver reaches
// against it is as fast as any engine could be reached from this process on this machine.

/** What every find answers: one of the benchmark's contacts (about 1 KB). */
export const CANNED_DOC = { ...makeContact(0), _id: new ObjectId('0000000000000000000000a1') };

export async function startCannedWire(): Promise<{ uri: string; stop(): Promise<void> }> {
  const worker = new Worker(new URL('./canned-wire-bootstrap.mjs', import.meta.url));
  const [{ port }] = (await once(worker, 'message')) as [{ port: number }];
  return {
    uri: `mongodb://127.0.0.1:${port}/?directConnection=true`,
    async stop() {
      const exited = once(worker, 'exit');
      worker.postMessage('stop');
      await exited;
    },
  };
}
