import { makeContact } from './contact-fixture.ts';

// The CRM the records benchmark serves: accounts and their contacts, defined through the metadata
// API, with record bodies as a client would POST them (derived from the storage benchmark's contacts).

/** 100 cities, so a filter on one of them matches about 1% of the contacts. */
export const CITIES = (
  'Lyon,Leeds,Porto,Austin,Ghent,Bremen,Turku,Lille,Nantes,Rennes,Bordeaux,Toulouse,Marseille,Nice,Grenoble,Dijon,Reims,Brest,Caen,Rouen,' +
  'Bristol,Cardiff,Glasgow,Dundee,York,Bath,Oxford,Cambridge,Norwich,Exeter,Braga,Coimbra,Faro,Aveiro,Evora,Dallas,Denver,Boise,Tulsa,Omaha,' +
  'Bruges,Namur,Liege,Mons,Leuven,Kassel,Mainz,Erfurt,Leipzig,Dresden,Tampere,Oulu,Espoo,Vaasa,Lahti,Seville,Malaga,Bilbao,Valencia,Zaragoza,' +
  'Turin,Genoa,Bologna,Verona,Padua,Krakow,Gdansk,Poznan,Wroclaw,Lodz,Brno,Ostrava,Graz,Linz,Salzburg,Basel,Bern,Lausanne,Lucerne,Lugano,' +
  'Aarhus,Odense,Aalborg,Bergen,Trondheim,Uppsala,Malmo,Umea,Tartu,Riga,Kaunas,Vilnius,Cork,Galway,Limerick,Utrecht,Leiden,Delft,Haarlem,Breda'
).split(',');

export const ACCOUNT_COUNT = 1_000;

const option = (value: string): { value: string; label: string } => ({ value, label: value[0]!.toUpperCase() + value.slice(1) });
const INDUSTRIES = ['nonprofit', 'software', 'healthcare', 'education', 'retail', 'manufacturing', 'finance'];
const STATUSES = ['lead', 'prospect', 'customer', 'churned', 'partner'];

export const ACCOUNT_ENTITY = {
  name: 'account',
  label: 'Account',
  pluralLabel: 'Accounts',
  description: 'Organisations the contacts belong to',
  titleField: 'name',
  fields: [
    { name: 'name', type: 'text', required: true, maxLength: 200 },
    { name: 'website', type: 'url' },
    { name: 'industry', type: 'select', options: INDUSTRIES.map(option) },
    { name: 'employees', type: 'integer', min: 0 },
    { name: 'city', type: 'text', maxLength: 100 },
  ],
};

export const CONTACT_ENTITY = {
  name: 'contact',
  label: 'Contact',
  pluralLabel: 'Contacts',
  titleField: 'name',
  searchFields: ['name', 'email'],
  fields: [
    { name: 'name', type: 'fullName', required: true },
    { name: 'email', type: 'email', unique: true },
    { name: 'phone', type: 'phone', defaultCountry: 'FR' },
    { name: 'jobTitle', type: 'text', maxLength: 120 },
    { name: 'status', type: 'select', options: STATUSES.map(option) },
    { name: 'budget', type: 'currency', currency: 'EUR' },
    { name: 'lastContactedOn', type: 'date' },
    { name: 'account', type: 'relation', target: 'account', relatedLabel: 'Contacts' },
    { name: 'city', type: 'text', maxLength: 100 },
    { name: 'score', type: 'integer', min: 0, max: 100 },
    { name: 'newsletter', type: 'boolean' },
    { name: 'notes', type: 'longText', maxLength: 5000 },
  ],
  indexes: [{ name: 'city', fields: [{ field: 'city' }] }],
};

export function accountBody(i: number): Record<string, unknown> {
  const c = makeContact(1_000_000 + i);
  const company = c.company as { name: string; industry: string; employees: number };
  return { name: `${company.name} ${i}`, website: `https://account-${i}.example.org`, industry: company.industry, employees: company.employees, city: CITIES[i % CITIES.length] };
}

/** A contact as a client sends it, and the creation time a seeded record gets (spread over a year). */
export function contactSeed(i: number, accountIds: readonly string[]): { body: Record<string, unknown>; createdAt: Date } {
  const c = makeContact(i);
  const body = {
    name: { first: c.firstName, last: c.lastName },
    email: c.email,
    phone: c.phone,
    jobTitle: c.title,
    status: c.status,
    budget: { amount: `${(c.score as number) * 125}.50`, currency: 'EUR' },
    lastContactedOn: (c.lastActivityAt as Date).toISOString().slice(0, 10),
    account: accountIds[i % accountIds.length],
    // Multiplicative hashing spreads neighbouring indexes evenly over the cities.
    city: CITIES[(Math.imul(i, 2654435761) >>> 0) % CITIES.length],
    score: c.score,
    newsletter: (c.consent as { email: boolean }).email,
    notes: c.description,
  };
  return { body, createdAt: c.createdAt as Date };
}
