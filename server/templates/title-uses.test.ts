import { describe, expect, it } from 'vitest';
import { titleUses } from './title-uses.ts';

describe('titleUses: the fields a title template reads', () => {
  it.each([
    ['{{record.name}} · {{record.city}}', ['city', 'name']],
    ['{{record.programme.name}} {{upper record.name}}', ['name', 'programme.name']],
    ['{{#if record.salary}}rich{{/if}}', ['salary']],
    ['{{#each record.tags}}{{this}} {{../record.secret}}{{/each}}', ['secret', 'tags']],
    ['{{#with record.programme}}{{name}} {{@root.record.code}}{{/with}}', ['code', 'programme']],
    ['{{#record.tags}}x{{/record.tags}}', ['tags']],
    ['{{record.last}}{{#record.vip}} {{record.grade}}{{/record.vip}}', ['grade', 'last', 'vip']],
    ['{{#unless record.vip}}{{record.grade}}{{/unless}}', ['grade', 'vip']],
    ['{{default (lower record.nick) record.name}}', ['name', 'nick']],
    ['{{formatDate record.createdAt "short"}} {{@index}}', ['createdAt']],
    ['{{record.address.city.x}}', ['address.city']],
  ])('%s reads %j', (source, uses) => {
    expect(titleUses(source)).toEqual(uses);
  });

  it.each([
    '{{#with record.last}}{{#with this}}{{../record.grade}}{{/with}}{{/with}}',
    '{{#each record.programme}}{{#if @first}}{{@_parent.root.record.grade}}{{/if}}{{/each}}',
    '{{#with record.name}}{{#with .}}{{#with (lookup .. "record")}}{{salary}}{{/with}}{{/with}}{{/with}}',
  ])('%s reads what it reaches through ../ or @_parent', (source) => {
    expect(titleUses(source)).toEqual(expect.arrayContaining([expect.stringMatching(/^(grade|\*)$/)]));
  });

  it.each(['{{lookup record "salary"}}', '{{> other}}', '{{this}}', '{{record}}', '{{#with record as |r|}}{{r.salary}}{{/with}}'])('%s may read anything', (source) => {
    expect(titleUses(source)).toEqual(['*']);
  });
});
