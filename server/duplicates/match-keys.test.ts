import { describe, expect, it } from 'vitest';
import { ObjectId } from 'mongodb';
import { compileEntity, type EntityDefinition } from '../metadata/index.ts';
import { fieldText, foldText, matchKey, ruleFieldProblem, type RuleField } from './match-keys.ts';

const definition = {
  name: 'contact', label: 'Contact', pluralLabel: 'Contacts',
  fields: [
    { name: 'name', type: 'fullName' },
    { name: 'nickname', type: 'text' },
    { name: 'email', type: 'email' },
    { name: 'phone', type: 'phone' },
    { name: 'website', type: 'url' },
    { name: 'home', type: 'address' },
    { name: 'account', type: 'relation', target: 'account' },
    { name: 'vip', type: 'boolean' },
    { name: 'tags', type: 'multiSelect', options: [{ value: 'a', label: 'A' }] },
  ],
} as unknown as EntityDefinition;
const entity = compileEntity({ definition, version: 1, metadataVersion: 1 });
const text = (field: string, match: RuleField['match'], doc: Record<string, unknown>) => fieldText(entity, { field, match }, doc);

describe('normalised texts', () => {
  it.each([
    ['José  García', 'josegarcia'],
    ['JOSE-GARCIA', 'josegarcia'],
    ['  Zoë  Ångström ', 'zoeangstrom'],
    ['SW1A 1AA', 'sw1a1aa'],
    ['ﬁne', 'fine'],
    ['--', ''],
  ])('%j folds to %j', (input, folded) => {
    expect(foldText(input)).toBe(folded);
  });

  it.each([
    ['nickname', 'normalised', { nickname: 'Ann-Marie  Dupré' }, 'annmariedupre'],
    ['nickname', 'exact', { nickname: 'Ann-Marie  Dupré' }, 'Ann-Marie  Dupré'],
    ['email', 'normalised', { email: ' Ann@Example.ORG ' }, 'ann@example.org'],
    ['phone', 'normalised', { phone: '+44 20 7183 8750' }, '442071838750'],
    ['website', 'normalised', { website: 'https://www.Example.org/' }, 'example.org'],
    ['name', 'normalised', { name: { first: 'José', last: 'García', display: 'José García' } }, 'josegarcia'],
    ['name.last', 'normalised', { name: { first: 'José', last: 'García', display: 'José García' } }, 'garcia'],
    ['home.postalCode', 'normalised', { home: { city: 'London', postalCode: 'sw1a 1aa' } }, 'sw1a1aa'],
    ['home.country', 'normalised', { home: { country: 'gb' } }, 'GB'],
    ['account', 'exact', { account: new ObjectId('0123456789abcdef01234567') }, '0123456789abcdef01234567'],
    ['nickname', 'normalised', {}, null],
    ['nickname', 'normalised', { nickname: '...' }, null],
    ['name.last', 'normalised', { name: { first: 'Cher', display: 'Cher' } }, null],
  ] as const)('%s (%s) of %j is %j', (field, match, doc, expected) => {
    expect(text(field, match, doc)).toBe(expected);
  });
});

describe('match keys', () => {
  const rule: RuleField[] = [{ field: 'name', match: 'normalised' }, { field: 'home.postalCode', match: 'normalised' }];
  const person = (first: string, last: string, postalCode: string) => ({ name: { first, last, display: `${first} ${last}` }, home: { postalCode } });

  it('are equal for the same person written differently, and differ otherwise', () => {
    const key = matchKey(entity, rule, person('José', 'García', 'SW1A 1AA'));
    expect(key).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(matchKey(entity, rule, person('jose', 'GARCIA', 'sw1a1aa'))).toBe(key);
    expect(matchKey(entity, rule, person('José', 'García', 'SW1A 2AA'))).not.toBe(key);
  });

  it('depend on the rule: the same values under other match modes give another key', () => {
    const exact: RuleField[] = rule.map((f) => ({ ...f, match: 'exact' }));
    expect(matchKey(entity, exact, person('jose', 'garcia', 'sw1a1aa'))).not.toBe(matchKey(entity, rule, person('jose', 'garcia', 'sw1a1aa')));
  });

  it('are null when a field of the rule is blank', () => {
    expect(matchKey(entity, rule, { name: { first: 'Ann', display: 'Ann' } })).toBeNull();
  });
});

describe('rule fields', () => {
  it.each([
    ['email', null],
    ['home.postalCode', null],
    ['nope', 'is not a field of contact'],
    ['vip', 'is a boolean field'],
    ['tags', 'is a multiSelect field'],
    ['email.domain', 'email has no parts'],
    ['home.zip', 'zip is not a part of home'],
  ])('%s → %s', (path, problem) => {
    const found = ruleFieldProblem(entity, path);
    if (problem === null) expect(found).toBeNull();
    else expect(found).toContain(problem);
  });
});
