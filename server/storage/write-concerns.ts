/**
 * Write concerns the server chooses on purpose.
 *
 * `NOT_AWAITING_JOURNAL` (w: 1, j: false): acknowledged once applied, not once on disk. The journal
 * is one sequence, in the embedded engine and in MongoDB, so such a write is on disk as soon as
 * any write after it is: a crash can lose the last of them, never one that came before a write
 * that survived. So it is used only where losing the last ones loses nothing:
 * - writes thrown away when the server stops anyway (an import's remembered keys);
 * - writes a waiting write always follows (an outbox batch, inserted before its records);
 * - writes done again when lost (audit entries and the removal of a delivered outbox batch: the
 *   batch stays until its removal is on disk, and the sweep delivers it again, idempotently).
 * The embedded engine writes them with the next write that waits, or within 100 ms, which saves
 * an fsync per command: in an import, four of the five writes of each batch.
 */
export const NOT_AWAITING_JOURNAL = { writeConcern: { w: 1, j: false } } as const;
