/**
 * Indexes an entity gets (issue 3): a declared index and a relation's index also hold the list
 * order (newest first) after their own fields, so a list filtered on that field reads one page of
 * the index instead of sorting every match; unique indexes keep their own key; and an index made
 * with an older key is rebuilt when a server starts, without a save of the definition.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAppServer, type AppServer } from '../support/app-server.ts';
import { collection, createRecord, defineEntity } from '../support/crm-fixture.ts';

let s: AppServer;

const keysOf = async (entity: string) => Object.fromEntries((await collection(s, `rec_${entity}`).listIndexes().toArray()).map((i) => [i.name as string, i.key as Record<string, number>]));

beforeAll(async () => {
  s = await startAppServer();
  await defineEntity(s, { name: 'club', label: 'Club', pluralLabel: 'Clubs', fields: [{ name: 'name', type: 'text', required: true }] });
  await defineEntity(s, {
    name: 'player', label: 'Player', pluralLabel: 'Players',
    fields: [{ name: 'name', type: 'text', required: true }, { name: 'city', type: 'text' }, { name: 'code', type: 'text', unique: true }, { name: 'club', type: 'relation', target: 'club' }],
    indexes: [{ name: 'city', fields: [{ field: 'city' }] }],
  });
});
afterAll(async () => s.stop());

describe('indexes hold the list order', () => {
  it('a declared index and a relation index end with newest first; a unique index keeps its key', async () => {
    const keys = await keysOf('player');
    expect(keys.rapport_index_city).toEqual({ city: 1, createdAt: -1, _id: -1 });
    expect(keys.rapport_ref_club).toEqual({ club: 1, createdAt: -1, _id: -1 });
    expect(keys.rapport_unique_code).toEqual({ code: 1 });
  });

  it('a list of one city, newest first, reads only the page it returns, and pages in the right order', async () => {
    const cities = ['Lyon', 'Nice', 'Paris'];
    for (let i = 0; i < 90; i++) await createRecord(s, 'player', { name: `p${i}`, city: cities[i % 3], code: `c${i}` });
    const explained = await collection(s, 'rec_player').find({ city: 'Lyon' }).sort({ createdAt: -1, _id: -1 }).limit(5).explain();
    expect(explained.queryPlanner.winningPlan.inputStage).toMatchObject({ stage: 'IXSCAN', indexName: 'rapport_index_city' });
    expect(explained.executionStats.totalDocsExamined).toBe(5);
    const filter = encodeURIComponent(JSON.stringify({ field: 'city', op: 'eq', value: 'Lyon' }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { status: number; body: { data: Array<{ name: string }>; nextCursor: string | null } } = await s.call('GET', `/api/entities/player/records?filter=${filter}&sort=-createdAt&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      seen.push(...res.body.data.map((r) => r.name));
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(Array.from({ length: 30 }, (_, k) => `p${87 - 3 * k}`));
  });

  it('rebuilds an index made with an older key when the server starts, building the new one before dropping the old', async () => {
    await collection(s, 'rec_player').dropIndex('rapport_index_city');
    await collection(s, 'rec_player').createIndex({ city: 1 }, { name: 'rapport_index_city' });
    // Another server starting on the same database.
    const second = await startAppServer({ engine: s.engine });
    try {
      const keys = Object.values(await keysOf('player'));
      expect(keys).toContainEqual({ city: 1, createdAt: -1, _id: -1 });
      expect(keys).not.toContainEqual({ city: 1 });
    } finally {
      await second.stop();
    }
  });
});

describe('changing indexes never leaves a constraint missing', () => {
  const member = (indexes: unknown[]) => ({
    name: 'member', label: 'Member', pluralLabel: 'Members',
    fields: [{ name: 'name', type: 'text', required: true }, { name: 'team', type: 'text' }, { name: 'number', type: 'text' }, { name: 'city', type: 'text' }],
    indexes,
  });
  const uniqueTeamNumber = { fields: [{ field: 'team' }, { field: 'number' }], unique: true };
  const byCity = { fields: [{ field: 'city' }] };

  it('a unique index that existing records prevent is refused, and the old unique index still holds', async () => {
    await defineEntity(s, member([uniqueTeamNumber]));
    await createRecord(s, 'member', { name: 'a', team: 'red', number: '1' });
    await createRecord(s, 'member', { name: 'b', team: 'red', number: '2' });
    const narrowed = await s.call('PUT', '/api/metadata/entities/member', member([{ fields: [{ field: 'team' }], unique: true }]));
    expect(narrowed.status, JSON.stringify(narrowed.body)).toBe(409);
    expect(Object.values(await keysOf('member'))).toContainEqual({ team: 1, number: 1 });
    const clash = await s.call('POST', '/api/entities/member/records', { name: 'c', team: 'red', number: '1' });
    expect(clash.status, JSON.stringify(clash.body)).toBe(409);
  });

  it('reordering unnamed indexes rebuilds nothing', async () => {
    expect((await s.call('PUT', '/api/metadata/entities/member', member([uniqueTeamNumber, byCity]))).status).toBe(200);
    const first = await keysOf('member');
    expect((await s.call('PUT', '/api/metadata/entities/member', member([byCity, uniqueTeamNumber]))).status).toBe(200);
    expect(await keysOf('member')).toEqual(first);
  });
});
