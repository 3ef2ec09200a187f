/**
 * One generator per kind of sample value (issue 9), as a pack's sample spec names them. Values are
 * in the records API's input form; phone numbers are valid for libphonenumber (numbers are drawn
 * until one is), and every email address is at a reserved example domain (RFC 2606), so no sample
 * mail can ever reach a real person.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { SampleCondition, SampleGenerator } from '../pack.types.ts';
import type { Random } from './random.ts';
import { COMPANY_HEADS, COMPANY_SUFFIXES, COMPANY_TAILS, FIRST_NAMES, JOB_TITLES, LAST_NAMES, STREETS, TOWNS, US_AREA_CODES, WORDS } from './sample-words.ts';

const DAY_MS = 86_400_000;

/** What a generator may read: the random source, today, the record so far and the records it links to. */
export type GenContext = {
  random: Random;
  today: Date;
  /** The value at `path`: a field of the record, or relation.field of a record it links to. */
  read(path: string): unknown;
  /** The id of a record of `entity` written earlier, or undefined when there is none. */
  ref(entity: string): string | undefined;
  /** The record's position among its entity's sample records. */
  index: number;
};

const slug = (text: string): string => text.normalize('NFKD').replace(/[^A-Za-z0-9]+/g, '').toLowerCase();
const digits = (random: Random, n: number): string => Array.from({ length: n }, () => random.between(0, 9)).join('');

function phone(random: Random, country: 'GB' | 'US'): string {
  for (let attempt = 0; attempt < 50; attempt++) {
    const national = country === 'GB'
      ? random.chance(0.7) ? `07${random.pick(['4', '5', '7', '8', '9'])}${digits(random, 8)}` : `0${random.pick(['113', '161', '117', '1603', '29', '141'])}${digits(random, 6)}`
      : `${random.pick(US_AREA_CODES)}${random.between(2, 9)}${digits(random, 2)}${digits(random, 4)}`;
    const parsed = parsePhoneNumberFromString(national, country);
    if (parsed?.isValid()) return parsed.formatInternational();
  }
  return country === 'GB' ? '+44 20 7946 0000' : '+1 212 555 0100';
}

function address(random: Random, country: 'GB' | 'US') {
  const street = `${random.between(1, 240)} ${random.pick(STREETS)}`;
  if (country === 'GB') {
    const town = random.pick(TOWNS.GB);
    const letters = 'ABDEFGHJLNPQRSTUWXYZ';
    const postalCode = `${town.code}${random.between(1, 20)} ${random.between(1, 9)}${random.pick([...letters])}${random.pick([...letters])}`;
    return { street, city: town.city, region: town.region, postalCode, country };
  }
  const town = random.pick(TOWNS.US);
  return { street, city: town.city, region: town.region, postalCode: `${town.code}${digits(random, 2)}`, country };
}

function email(g: SampleGenerator, c: GenContext): string | undefined {
  const parts = (Array.isArray(g.from) ? g.from : g.from ? [g.from] : []).map((p) => slug(String(c.read(p) ?? ''))).filter(Boolean);
  if (!parts.length) parts.push(`person${c.random.between(1, 99_999)}`);
  const company = g.domainFrom ? slug(String(c.read(g.domainFrom) ?? '')) : '';
  const domain = company ? `${company}.example.com` : c.random.pick(['example.com', 'example.org', 'example.net']);
  return `${parts.join('.')}${c.random.chance(0.15) ? c.random.between(1, 99) : ''}@${domain}`;
}

function dayOffset(c: GenContext, g: SampleGenerator): Date {
  const from = typeof g.from === 'string' ? new Date(String(c.read(g.from))) : c.today;
  return new Date((Number.isNaN(from.getTime()) ? c.today : from).getTime() + c.random.between(g.min ?? -365, g.max ?? 365) * DAY_MS);
}

function copy(g: SampleGenerator, c: GenContext): unknown {
  const value = c.read(String(g.from));
  if (g.scale === undefined || typeof value !== 'number') return value ?? undefined;
  return Math.round(value * g.scale * 100) / 100;
}

function amount(g: SampleGenerator, c: GenContext): string {
  const [min, max] = [g.min ?? 0, g.max ?? 1000];
  const value = min + c.random.next() * (max - min);
  return max >= 1000 ? (Math.round(value / 50) * 50).toFixed(2) : value.toFixed(2);
}

const GENERATORS: Record<SampleGenerator['gen'], (g: SampleGenerator, c: GenContext) => unknown> = {
  firstName: (_g, c) => c.random.pick(FIRST_NAMES),
  lastName: (_g, c) => c.random.pick(LAST_NAMES),
  company: (g, c) => `${c.random.pick(COMPANY_HEADS)} ${c.random.pick(COMPANY_TAILS)} ${c.random.pick(COMPANY_SUFFIXES[g.country ?? 'GB'])}`,
  jobTitle: (_g, c) => c.random.pick(JOB_TITLES),
  email,
  phone: (g, c) => phone(c.random, g.country ?? 'GB'),
  address: (g, c) => address(c.random, g.country ?? 'GB'),
  pick: (g, c) => (g.weights ? c.random.weighted(g.values ?? [], g.weights) : c.random.pick(g.values ?? [])),
  each: (g, c) => (g.values ?? [])[c.index % (g.values?.length ?? 1)],
  int: (g, c) => c.random.between(g.min ?? 0, g.max ?? 100),
  number: (g, c) => Math.round(((g.min ?? 0) + c.random.next() * ((g.max ?? 100) - (g.min ?? 0))) * 100) / 100,
  money: (g, c) => ({ amount: amount(g, c), currency: g.currency ?? 'GBP' }),
  date: (g, c) => dayOffset(c, g).toISOString().slice(0, 10),
  datetime: (g, c) => new Date(dayOffset(c, g).getTime() + c.random.between(8 * 60, 18 * 60) * 60_000).toISOString(),
  bool: (g, c) => c.random.chance(g.p ?? 0.5),
  ref: (g, c) => c.ref(g.entity!),
  copy,
  text,
  words: (g, c) => {
    const text = Array.from({ length: c.random.between(g.min ?? 3, g.max ?? 8) }, () => c.random.pick(WORDS)).join(' ');
    return text[0]!.toUpperCase() + text.slice(1);
  },
};

/** `{field}` and `{relation.field}` are read from the record; `{@lastName}` (any generator without options) is drawn afresh. */
function text(g: SampleGenerator, c: GenContext): string | undefined {
  const filled = (g.template ?? '').replace(/\{(@?)([a-zA-Z0-9_.]+)\}/g, (_m, fresh: string, path: string) => {
    const generator = fresh ? GENERATORS[path as SampleGenerator['gen']] : undefined;
    return String((generator ? generator({ gen: path as SampleGenerator['gen'] }, c) : c.read(path)) ?? '');
  });
  return filled.trim() || undefined;
}

function holds(when: SampleCondition, c: GenContext): boolean {
  const value = c.read(when.field);
  if (when.in) return when.in.some((v) => v === value);
  const set = value !== undefined && value !== null && value !== '';
  return when.isSet === false ? !set : set;
}

/** One field's sample value, or undefined to leave the field out. */
export function generateValue(g: SampleGenerator, c: GenContext): unknown {
  if (g.when && !holds(g.when, c)) return undefined;
  if (g.blank && c.random.chance(g.blank)) return undefined;
  return GENERATORS[g.gen](g, c);
}
