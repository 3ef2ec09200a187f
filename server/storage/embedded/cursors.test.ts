import { afterEach, describe, expect, it } from 'vitest';
import { CursorRegistry } from './cursors.ts';

const docs = Array.from({ length: 10 }, (_, i) => ({ _id: i }));
let registry: CursorRegistry | undefined;
afterEach(() => registry?.close());

describe('CursorRegistry', () => {
  it('hands out batches until the results run out, then closes the cursor', () => {
    registry = new CursorRegistry();
    const first = registry.start('db.c', docs, 4);
    expect(first.firstBatch.docs).toHaveLength(4);
    const second = registry.getMore(first.id, 'db.c', 4);
    expect(second.nextBatch.docs).toHaveLength(4);
    const last = registry.getMore(first.id, 'db.c', 4);
    expect(last.nextBatch.docs).toHaveLength(2);
    expect(last.id.isZero()).toBe(true);
    expect(() => registry!.getMore(first.id, 'db.c')).toThrow(/not found/);
  });

  it('closes a cursor left idle longer than the timeout', async () => {
    registry = new CursorRegistry(30);
    const { id } = registry.start('db.c', docs, 2);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(() => registry!.getMore(id, 'db.c')).toThrow(/not found/);
  });

  it('refuses a getMore on another namespace', () => {
    registry = new CursorRegistry();
    const { id } = registry.start('db.c', docs, 2);
    expect(() => registry!.getMore(id, 'db.other')).toThrow(/belongs to/);
  });
});
