/**
 * Merge fields of a record (issue 7): the record as the person rendering reads it, through the
 * records service (their object, field and record-scope permissions), with its relations expanded
 * two levels (`record.account.owner.name`). Relations they cannot follow are left as ids, never
 * read past their permissions.
 */
import type { MetadataRegistry } from '../metadata/index.ts';
import type { ApiRecord, RecordsService } from '../records/index.ts';
import type { Actor } from '../shared/actor.ts';

/** The records API's own limit on expand= paths. */
const MAX_PATHS = 10;

type Deps = { registry: MetadataRegistry; records: () => RecordsService };

/** Relation fields of `entity` the actor can see, leading to entities they can read. */
function followable(deps: Deps, entity: string, actor: Actor): Array<{ name: string; target: string }> {
  const compiled = deps.registry.get(entity);
  if (!compiled) return [];
  const perms = actor.permissions(entity);
  const out: Array<{ name: string; target: string }> = [];
  for (const [name, field] of compiled.fields) {
    if (field.type !== 'relation' || perms.fields[name] === 'hidden') continue;
    if (deps.registry.get(field.target) && actor.permissions(field.target).operations.read) out.push({ name, target: field.target });
  }
  return out;
}

/** expand= paths: every followable relation, then the relations of those, up to the API's limit. */
export function expandPaths(deps: Deps, entity: string, actor: Actor): string[] {
  const first = followable(deps, entity, actor);
  const paths = first.map((r) => r.name);
  for (const r of first) for (const s of followable(deps, r.target, actor)) paths.push(`${r.name}.${s.name}`);
  return paths.slice(0, MAX_PATHS);
}

export async function recordForTemplate(deps: Deps, input: { entity: string; id: string; actor: Actor }): Promise<ApiRecord> {
  const records = deps.records();
  records.entityOf(input.entity);
  const expand = expandPaths(deps, input.entity, input.actor).join(',');
  return records.get(input.entity, input.id, input.actor, expand ? { expand } : {});
}
