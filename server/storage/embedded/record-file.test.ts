import { describe, expect, it } from 'vitest';
import { frameRecord, parseRecords, recordHeader } from './record-file.ts';

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

describe('recordHeader', () => {
  it('frames a payload given in pieces exactly as the same payload in one buffer', () => {
    const pieces = [Buffer.from('an insert op '), new Uint8Array(0), Buffer.from('and its document, '), Buffer.from([0, 255, 1])];
    const whole = Buffer.concat(pieces);
    expect(Buffer.concat([recordHeader(pieces), ...pieces]).equals(frameRecord(whole))).toBe(true);
    expect(parseRecords(Buffer.concat([recordHeader(pieces), ...pieces])).payloads[0]!.equals(whole)).toBe(true);
  });
});
