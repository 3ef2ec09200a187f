import { describe, expect, it } from 'vitest';
import { frameRecord, parseRecords } from './record-file.ts';

const a = frameRecord(Buffer.from('first record'));
const b = frameRecord(Buffer.from('second'));
const zeros = Buffer.alloc(4096);

describe('parseRecords', () => {
  it.each([
    ['intact records', Buffer.concat([a, b]), 2, false],
    ['records then preallocated zeros', Buffer.concat([a, b, zeros]), 2, false],
    ['a record cut short', Buffer.concat([a, b.subarray(0, b.length - 3)]), 1, true],
    ['a record with a bad checksum', Buffer.concat([a, Buffer.from(b).fill(7, 9, 10)]), 1, true],
    // 16 MiB of preallocated zeros: a parser stepping through them record by record would hang.
    ['garbage after the zeros', Buffer.concat([a, Buffer.alloc(16 * 1024 * 1024), Buffer.from([1, 2, 3])]), 1, true],
    ['a length past any sane size', Buffer.concat([a, Buffer.from([255, 255, 255, 255, 0, 0, 0, 0])]), 1, true],
    ['an empty file', Buffer.alloc(0), 0, false],
  ])('%s', (_name, buf, count, torn) => {
    const parsed = parseRecords(buf);
    expect(parsed.payloads).toHaveLength(count);
    expect(parsed.torn).toBe(torn);
    expect(parsed.validBytes).toBe(count === 2 ? a.length + b.length : count === 1 ? a.length : 0);
  });
});
