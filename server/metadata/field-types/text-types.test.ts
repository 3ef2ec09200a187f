import { describe, expect, it } from 'vitest';
import { checkValue, details, storedValue } from './check-value.test-support.ts';
import { emailType, longTextType, phoneType, richTextType, textType, urlType } from './text-types.ts';
import type { Field } from '../entity.types.ts';

const text: Field = { name: 'title', type: 'text' };
const code: Field = { name: 'code', type: 'text', minLength: 2, maxLength: 5, pattern: '^[A-Z]+$' };
const longText: Field = { name: 'notes', type: 'longText' };
const richText: Field = { name: 'body', type: 'richText' };
const email: Field = { name: 'email', type: 'email' };
const phone: Field = { name: 'phone', type: 'phone' };
const ukPhone: Field = { name: 'phone', type: 'phone', defaultCountry: 'GB' };
const url: Field = { name: 'website', type: 'url' };

describe('text', () => {
  it.each([
    [text, ''],
    [text, 'x'.repeat(255)],
    [text, '  kept as typed  '],
    [code, 'AB'],
    [code, 'ABCDE'],
  ])('accepts %j %j', (field, value) => {
    expect(storedValue(checkValue(textType, field, value))).toBe(value);
  });

  it.each([
    [text, 'x'.repeat(256), ['must NOT have more than 255 characters']],
    [text, 12, ['must be string']],
    [code, 'A', ['must NOT have fewer than 2 characters']],
    [code, 'ABCDEF', ['must NOT have more than 5 characters']],
    [code, 'ab', ['must match pattern "^[A-Z]+$"']],
  ])('rejects %j %j', (field, value, expected) => {
    expect(details(checkValue(textType, field, value))).toEqual(expected);
  });

  it('reads back strings, null for nothing', () => {
    expect(textType.toApi(storedValue(checkValue(textType, text, 'Acme')), text)).toBe('Acme');
    expect(textType.toApi(null, text)).toBeNull();
    expect(textType.toApi(undefined, text)).toBeNull();
  });

  it('reads anything but a string back as null', () => {
    expect(textType.toApi({ a: 1 }, text)).toBeNull();
    expect(textType.toApi(['a', 'b'], text)).toBeNull();
    expect(textType.toApi(Object.create(null), text)).toBeNull();
  });

  it('casts string operands and refuses overlong ones', () => {
    expect(textType.castOperand('Acme', text)).toEqual({ ok: true, value: 'Acme' });
    expect(textType.castOperand(5, text).ok).toBe(false);
    expect(details(textType.castOperand('x'.repeat(1001), text))).toEqual(['must be at most 1000 characters']);
  });
});

describe('longText', () => {
  it('defaults to 32 000 characters and is not sortable', () => {
    expect(checkValue(longTextType, longText, 'x'.repeat(32_000)).ok).toBe(true);
    expect(details(checkValue(longTextType, longText, 'x'.repeat(32_001)))).toEqual(['must NOT have more than 32000 characters']);
    expect(longTextType.sortSuffix).toBeNull();
  });
});

describe('richText', () => {
  it.each([
    ['<p>Hi <b>there</b><script>alert(1)</script></p>', '<p>Hi <b>there</b></p>'],
    ['<p onclick="steal()" style="color:red">text</p>', '<p>text</p>'],
    ['<span onerror=alert(1)>s</span>', '<span>s</span>'],
    ['<img src=x onerror="alert(1)">', ''],
    ['<a href="javascript:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'],
    ['<a href="JaVaScRiPt:alert(1)">x</a>', '<a rel="noopener noreferrer">x</a>'],
    ['<ul><li>a</li></ul><iframe src="https://evil.example"></iframe>', '<ul><li>a</li></ul>'],
    ['<a href="https://example.com" target="_blank">ok</a>', '<a href="https://example.com" target="_blank" rel="noopener noreferrer">ok</a>'],
    ['<h2>Title</h2><p><em>a</em> <strong>b</strong> <u>c</u></p><blockquote>q</blockquote>', '<h2>Title</h2><p><em>a</em> <strong>b</strong> <u>c</u></p><blockquote>q</blockquote>'],
    ['<table><tr><td>1</td></tr></table>', '<table><tr><td>1</td></tr></table>'],
    ['a < b', 'a &lt; b'],
  ])('sanitises %s', (value, stored) => {
    expect(storedValue(checkValue(richTextType, richText, value))).toBe(stored);
  });

  it('keeps mailto and tel links', () => {
    const html = '<a href="mailto:a@b.example">m</a><a href="tel:+441234">t</a>';
    expect(storedValue(checkValue(richTextType, richText, html))).toBe('<a href="mailto:a@b.example" rel="noopener noreferrer">m</a><a href="tel:+441234" rel="noopener noreferrer">t</a>');
  });

  it('declares HTML output', () => {
    expect(richTextType.outputSchema(richText)).toEqual({ type: 'string', contentMediaType: 'text/html' });
  });
});

describe('email', () => {
  it.each([
    ['Ada@Example.COM', 'ada@example.com'],
    ['first.last+tag@sub.example.org', 'first.last+tag@sub.example.org'],
  ])('stores %s lower case', (value, stored) => {
    expect(storedValue(checkValue(emailType, email, value))).toBe(stored);
  });

  it.each(['not-an-email', 'a@', '@example.com', ' a@example.com', 'a b@example.com', `${'x'.repeat(245)}@example.com`, 42])('rejects %j', (value) => {
    expect(checkValue(emailType, email, value).ok).toBe(false);
  });

  it('round-trips and casts operands lower case', () => {
    expect(emailType.toApi(storedValue(checkValue(emailType, email, 'A@B.example')), email)).toBe('a@b.example');
    expect(emailType.castOperand(' Ada@Example.com ', email)).toEqual({ ok: true, value: 'ada@example.com' });
  });
});

describe('phone', () => {
  it.each([
    [phone, '+44 20 7183 8750', '+442071838750'],
    [phone, '+1 (415) 555-2671', '+14155552671'],
    [ukPhone, '020 7183 8750', '+442071838750'],
    [ukPhone, '+33 6 12 34 56 78', '+33612345678'],
  ])('stores %j %s as E.164', (field, value, stored) => {
    expect(storedValue(checkValue(phoneType, field, value))).toBe(stored);
  });

  it.each([
    [phone, '020 7183 8750', ['must be a valid phone number in international form (+country code)']],
    [phone, '+44 12', ['must be a valid phone number in international form (+country code)']],
    [ukPhone, '12345', ['must be a valid phone number']],
    [ukPhone, 'call me', ['must be a valid phone number']],
    [phone, '+4', ['must NOT have fewer than 3 characters']],
    [phone, 442071838750, ['must be string']],
  ])('rejects %j %j', (field, value, expected) => {
    expect(details(checkValue(phoneType, field, value))).toEqual(expected);
  });

  it('casts operands to E.164 when they parse, else leaves them for partial matches', () => {
    expect(phoneType.castOperand('020 7183 8750', ukPhone)).toEqual({ ok: true, value: '+442071838750' });
    expect(phoneType.castOperand('+44', phone)).toEqual({ ok: true, value: '+44' });
    expect(phoneType.toApi('+442071838750', phone)).toBe('+442071838750');
  });
});

describe('url', () => {
  it.each([
    ['https://example.com', 'https://example.com/'],
    ['HTTP://Example.COM/a b', 'http://example.com/a%20b'],
    [' https://example.org/p?q=1#top ', 'https://example.org/p?q=1#top'],
  ])('stores %s normalised as %s', (value, stored) => {
    expect(storedValue(checkValue(urlType, url, value))).toBe(stored);
  });

  it.each(['javascript:alert(1)', '/relative/path', 'relative/path', '//example.com', 'example.com', 'ftp://example.com', 'mailto:a@b.example', 'data:text/html,<script>', '', 'https://'])(
    'rejects %j',
    (value) => {
      expect(checkValue(urlType, url, value).ok).toBe(false);
    },
  );

  it('refuses URLs longer than 2048 characters', () => {
    expect(details(checkValue(urlType, url, `https://example.com/${'a'.repeat(2048)}`))).toEqual(['must NOT have more than 2048 characters']);
  });
});
