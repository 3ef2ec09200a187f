/**
 * Installing a configuration document — a pack, or an imported metadata export — item by item
 * through the owning services (issue 9). An item that is not there is created; one stored exactly
 * as the document has it is unchanged; one the pack wrote and nobody has touched since is brought
 * up to the pack's version; anything else is someone's own version and is left alone, reported as
 * a conflict. Running it twice therefore changes nothing the second time.
 */
import type { Actor } from '../shared/actor.ts';
import { Problem } from '../shared/errors.ts';
import { canonical, fingerprint } from './canonical.ts';
import { createAdapters, itemKey, type Adapter, type Item, type Kind } from './pack-kinds.ts';
import { createEntities, type ArchivedEntity } from './create-entities.ts';
import type { PackDocument } from './pack.types.ts';
import type { PackServices } from './ports.ts';

export type ItemRef = { kind: Kind; name: string; entity?: string };
/** An item a pack installed, and the fingerprint of what it stored: a different one later means someone changed it. */
export type Owned = ItemRef & { fingerprint: string };
export type Outcome = ItemRef & { reason: string };
export type InstallReport = { created: ItemRef[]; updated: ItemRef[]; unchanged: ItemRef[]; conflicts: Outcome[]; skipped: Outcome[] };

/** The items of a document, in the order they are installed: what an item names exists before it. */
export function itemsOf(doc: PackDocument): Item[] {
  const named = (kind: Kind, list: Array<{ name: string }> | undefined): Item[] => (list ?? []).map((body) => ({ kind, name: body.name, body }));
  return [
    ...(doc.plugins ?? []).map((p): Item => ({ kind: 'plugin', name: p.id, body: { ...p } })),
    ...named('entity', doc.entities),
    ...named('template', doc.templates),
    ...named('role', doc.roles),
    ...(doc.duplicateRules ?? []).map((d): Item => ({ kind: 'duplicateRule', name: d.rule.name, entity: d.entity, body: d.rule })),
    ...named('workflow', doc.workflows),
    ...(doc.forms ?? []).map((f): Item => ({ kind: 'form', name: f.form.name, entity: f.entity, body: f.form })),
    ...(doc.views ?? []).map((v): Item => ({ kind: 'view', name: v.view.label, entity: v.entity, body: v.view })),
    ...named('dashboard', doc.dashboards),
  ];
}

export const refOf = ({ kind, name, entity }: ItemRef): ItemRef => ({ kind, name, ...(entity ? { entity } : {}) });

/** A service's refusal in one line: its detail and the first problem it pointed at. */
export function reasonOf(err: unknown): string {
  if (!(err instanceof Problem)) return err instanceof Error ? err.message : String(err);
  const first = err.errors?.[0];
  return `${err.detail ?? err.title}${first && !(err.detail ?? '').includes(first.pointer) ? ` (${first.pointer} ${first.detail})` : ''}`;
}

type Decision = { action: 'create' | 'update' | 'unchanged' } | { action: 'conflict'; reason: string };

async function decide(adapter: Adapter, item: Item, owned: Owned | undefined): Promise<Decision> {
  const current = await adapter.current(item);
  if (current === null) return { action: 'create' };
  if (canonical(current) === canonical(adapter.desired(item))) return { action: 'unchanged' };
  if (owned && owned.fingerprint === fingerprint(current)) return { action: 'update' };
  return { action: 'conflict', reason: owned ? 'changed since the pack installed it; your version is kept' : 'a different version exists; yours is kept' };
}

export type ApplyInput = {
  items: Item[];
  services: PackServices;
  actor: Actor;
  /** What the pack installed before, by itemKey (empty for an import). */
  owned?: ReadonlyMap<string, Owned>;
  /** Entities this pack's uninstall archived, by name: installing again restores them with their records. */
  archived?: ReadonlyMap<string, ArchivedEntity>;
};

export async function applyDocument(input: ApplyInput): Promise<{ report: InstallReport; owned: Owned[] }> {
  const adapters = createAdapters(input.services);
  const report: InstallReport = { created: [], updated: [], unchanged: [], conflicts: [], skipped: [] };
  const owned = new Map<string, Owned>();
  const keep = async (adapter: Adapter, item: Item) => owned.set(itemKey(item), { ...refOf(item), fingerprint: fingerprint(await adapter.current(item)) });

  /** `madeAnyway`: a failed create left the item in place (an entity whose links could not be added): it is the pack's to finish. */
  async function settle(adapter: Adapter, item: Item, decision: Decision, create: () => Promise<void>, madeAnyway = false): Promise<void> {
    const before = input.owned?.get(itemKey(item));
    if (decision.action === 'conflict') {
      report.conflicts.push({ ...refOf(item), reason: decision.reason });
      if (before) owned.set(itemKey(item), before);
      return;
    }
    try {
      if (decision.action === 'create') await create();
      if (decision.action === 'update') await adapter.update(item, input.actor);
      report[decision.action === 'create' ? 'created' : decision.action === 'update' ? 'updated' : 'unchanged'].push(refOf(item));
      if (decision.action !== 'unchanged' || before) await keep(adapter, item);
    } catch (err) {
      report.conflicts.push({ ...refOf(item), reason: `could not be installed: ${reasonOf(err)}` });
      if (madeAnyway) await keep(adapter, item);
      else if (before) owned.set(itemKey(item), before);
    }
  }

  const entities = input.items.filter((i) => i.kind === 'entity');
  for (const item of input.items) {
    const adapter = adapters[item.kind];
    if (!adapter) {
      report.skipped.push({ ...refOf(item), reason: 'forms, list views and dashboards are not available on this server' });
      continue;
    }
    if (item.kind === 'entity') {
      if (item !== entities[0]) continue;
      // Entities go in one batch: relations among them (and rollups over each other) need two passes.
      const decisions = await Promise.all(entities.map(async (e) => ({ item: e, decision: await decide(adapter, e, input.owned?.get(itemKey(e))) })));
      const { failures, exist } = await createEntities({ metadata: input.services.metadata, actor: input.actor, items: decisions.filter((d) => d.decision.action === 'create').map((d) => d.item), archived: input.archived });
      for (const { item: e, decision } of decisions) {
        await settle(adapter, e, decision, async () => {
          if (failures.has(e.name)) throw failures.get(e.name);
        }, exist.has(e.name));
      }
      continue;
    }
    await settle(adapter, item, await decide(adapter, item, input.owned?.get(itemKey(item))), () => adapter.create(item, input.actor));
  }
  return { report, owned: [...owned.values()] };
}
