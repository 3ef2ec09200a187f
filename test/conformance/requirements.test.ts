import { describe, expect, it } from 'vitest';
import { compareVersions, parseVersion, unmetRequirement, unmetRequirements } from './requirements.ts';
import type { RunOnRequirement, ServerInfo } from './unified-format.types.ts';

const embedded: ServerInfo = { version: [8, 0, 0], topology: 'single', shardsAreReplicaSets: false, auth: false };
const noParameters = async () => ({ found: false });

describe('parseVersion / compareVersions', () => {
  it.each([
    { text: '4.0.10', expected: [4, 0, 10] },
    { text: '3.6', expected: [3, 6, 0] },
    { text: '5', expected: [5, 0, 0] },
    { text: '4.9.0-alpha4-271-g7d5cf02', expected: [4, 9, 0] },
  ])('$text', ({ text, expected }) => {
    expect(parseVersion(text)).toEqual(expected);
  });

  it('compares each component numerically', () => {
    expect(compareVersions(parseVersion('4.0.10'), parseVersion('4.0.9'))).toBe(1);
    expect(compareVersions(parseVersion('4.0.10'), parseVersion('4.2.0'))).toBe(-1);
    expect(compareVersions(parseVersion('4.2'), parseVersion('4.2.0'))).toBe(0);
  });
});

describe('unmetRequirement against a standalone 8.0.0 without auth', () => {
  const rows: Array<{ requirement: RunOnRequirement; unmet: RegExp | undefined }> = [
    { requirement: {}, unmet: undefined },
    { requirement: { minServerVersion: '8.0' }, unmet: undefined },
    { requirement: { minServerVersion: '8.0.1' }, unmet: /requires server >= 8\.0\.1, server is 8\.0\.0/ },
    { requirement: { maxServerVersion: '4.4.99' }, unmet: /requires server <= 4\.4\.99/ },
    { requirement: { minServerVersion: '3.6', maxServerVersion: '8.0.0' }, unmet: undefined },
    { requirement: { maxServerVersion: '4.99' }, unmet: /requires server <= 4\.99/ },
    { requirement: { topologies: ['single', 'replicaset'] }, unmet: undefined },
    { requirement: { topologies: ['sharded'] }, unmet: /requires topology sharded, server is single/ },
    { requirement: { topologies: ['sharded-replicaset'] }, unmet: /topology/ },
    { requirement: { serverless: 'forbid' }, unmet: undefined },
    { requirement: { serverless: 'allow' }, unmet: undefined },
    { requirement: { serverless: 'require' }, unmet: /serverless/ },
    { requirement: { auth: true }, unmet: /requires authentication/ },
    { requirement: { auth: false }, unmet: undefined },
    { requirement: { csfle: true }, unmet: /encryption/ },
    { requirement: { csfle: false }, unmet: undefined },
  ];

  it.each(rows)('$requirement', ({ requirement, unmet }) => {
    const reason = unmetRequirement(requirement, embedded);
    if (unmet) expect(reason).toMatch(unmet);
    else expect(reason).toBeUndefined();
  });

  it('sharded-replicaset needs every shard to be a replica set', () => {
    const sharded: ServerInfo = { ...embedded, topology: 'sharded', shardsAreReplicaSets: true };
    expect(unmetRequirement({ topologies: ['sharded-replicaset'] }, sharded)).toBeUndefined();
    expect(unmetRequirement({ topologies: ['sharded'] }, { ...sharded, shardsAreReplicaSets: false })).toBeUndefined();
    expect(unmetRequirement({ topologies: ['sharded-replicaset'] }, { ...sharded, shardsAreReplicaSets: false })).toMatch(/topology/);
  });
});

describe('unmetRequirements (any one of the list)', () => {
  it('is met when one requirement is met', async () => {
    const list: RunOnRequirement[] = [{ maxServerVersion: '4.2.99' }, { minServerVersion: '4.4' }];
    expect(await unmetRequirements(list, embedded, noParameters)).toBeUndefined();
  });

  it('lists every reason when none is met', async () => {
    const list: RunOnRequirement[] = [{ maxServerVersion: '4.2.99' }, { topologies: ['sharded'] }];
    expect(await unmetRequirements(list, embedded, noParameters)).toBe(
      'requires server <= 4.2.99, server is 8.0.0; or requires topology sharded, server is single',
    );
  });

  it('checks server parameters with numeric flexibility', async () => {
    const read = async (name: string) => (name === 'p' ? { found: true, value: 1.0 } : { found: false });
    expect(await unmetRequirements([{ serverParameters: { p: 1 } }], embedded, read)).toBeUndefined();
    expect(await unmetRequirements([{ serverParameters: { p: 2 } }], embedded, read)).toMatch(/p=2/);
    expect(await unmetRequirements([{ serverParameters: { q: 1 } }], embedded, read)).toMatch(/does not report/);
  });
});
