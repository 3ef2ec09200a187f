import { createRandom } from './seeded-random.ts';

// Realistic CRM contacts of ~1 KB, derived from their index alone so the engine and the baseline
// receive byte-identical documents without holding 100k of them in memory.

const FIRST = ['Ada', 'Grace', 'Alan', 'Linus', 'Margaret', 'Ken', 'Barbara', 'Edsger', 'Frances', 'Donald', 'Radia', 'Tim'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Hamilton', 'Thompson', 'Liskov', 'Dijkstra', 'Allen', 'Knuth', 'Perlman', 'Berners-Lee'];
const INDUSTRIES = ['nonprofit', 'software', 'healthcare', 'education', 'retail', 'manufacturing', 'finance'];
const CITIES = [
  ['Lyon', 'Auvergne-Rhône-Alpes', 'FR'], ['Leeds', 'West Yorkshire', 'GB'], ['Porto', 'Norte', 'PT'],
  ['Austin', 'Texas', 'US'], ['Ghent', 'Flanders', 'BE'], ['Bremen', 'Bremen', 'DE'], ['Turku', 'Southwest Finland', 'FI'],
] as const;
const STATUSES = ['lead', 'prospect', 'customer', 'churned', 'partner'] as const;
const STAGES = ['subscriber', 'lead', 'mql', 'sql', 'opportunity', 'customer', 'evangelist'] as const;
const SOURCES = ['web-form', 'import', 'referral', 'event', 'api', 'manual'] as const;
const TAGS = ['vip', 'newsletter', 'donor', 'volunteer', 'board', 'press', 'beta', 'renewal-q3', 'do-not-call', 'partner'];

/** Activity dates span two years ending at this instant, so range queries hit a known spread. */
export const ACTIVITY_START_MS = Date.UTC(2023, 0, 1);
export const ACTIVITY_SPAN_MS = 2 * 365 * 24 * 3600 * 1000;

export type Contact = Record<string, unknown> & { _id: string; email: string; lastActivityAt: Date };

/** 24 hex digits: usable as an ObjectId (engine) and as a string _id (NeDB). */
export function contactId(i: number): string {
  return '665a0f00' + i.toString(16).padStart(16, '0');
}

export function contactEmail(i: number): string {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length]!;
  return `${first}.${last}.${i}@example-${i % 97}.org`.toLowerCase();
}

export function makeContact(i: number): Contact {
  const rnd = createRandom(i * 2654435761);
  const [city, region, country] = rnd.pick(CITIES);
  const created = ACTIVITY_START_MS + rnd.int(ACTIVITY_SPAN_MS / 2);
  return {
    _id: contactId(i),
    firstName: FIRST[i % FIRST.length]!,
    lastName: LAST[Math.floor(i / FIRST.length) % LAST.length]!,
    email: contactEmail(i),
    phone: `+33 4 ${rnd.between(10, 99)} ${rnd.between(10, 99)} ${rnd.between(10, 99)} ${rnd.between(10, 99)}`,
    title: rnd.pick(['Director', 'Program Manager', 'CTO', 'Volunteer Coordinator', 'Buyer', 'HR Partner']),
    company: { name: `${rnd.pick(LAST)} ${rnd.pick(['Labs', 'Trust', 'Foundation', 'GmbH', 'Ltd'])}`, industry: rnd.pick(INDUSTRIES), employees: rnd.between(1, 5000) },
    address: { street: `${rnd.between(1, 250)} ${rnd.pick(['Rue', 'High St', 'Avenida', 'Main St'])} ${rnd.pick(LAST)}`, city, region, postalCode: String(rnd.between(10000, 99999)), country },
    status: rnd.pick(STATUSES),
    lifecycleStage: rnd.pick(STAGES),
    source: rnd.pick(SOURCES),
    ownerId: `user-${rnd.int(40)}`,
    tags: Array.from({ length: rnd.between(1, 4) }, () => rnd.pick(TAGS)),
    score: rnd.int(100),
    activityCount: rnd.int(300),
    consent: { email: rnd.next() < 0.7, sms: rnd.next() < 0.2, recordedAt: new Date(created) },
    custom: { preferredLanguage: rnd.pick(['en', 'fr', 'de', 'pt']), timezone: rnd.pick(['Europe/Paris', 'Europe/London', 'America/Chicago']), nps: rnd.int(11) },
    description: rnd.text(270),
    createdAt: new Date(created),
    updatedAt: new Date(created),
    lastActivityAt: new Date(ACTIVITY_START_MS + rnd.int(ACTIVITY_SPAN_MS)),
    _version: 1,
  };
}
