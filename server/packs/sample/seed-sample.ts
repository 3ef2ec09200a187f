/**
 * Sample data from a pack's sample spec (issue 9): `total` records shared among the spec's
 * entities by weight, parents first, generated from one seeded random source (the same seed and
 * day give the same values) and handed to `write` in batches, several in flight. The writer is
 * the records service's bulk create, so validation, autonumbers, formulas, hooks, duplicate
 * rules, audit and workflows apply to sample records as to any other.
 */
import type { SampleEntity, SampleSpec } from '../pack.types.ts';
import { generateValue, type GenContext } from './field-generators.ts';
import { createRandom, type Random } from './random.ts';

export const MAX_SAMPLE_RECORDS = 100_000;
const BATCH = 500;
const IN_FLIGHT = 8;

/** Writes one batch (answering each record's new id, or its problem), and reads records already there. */
export type SampleStore = {
  write(entity: string, records: Array<Record<string, unknown>>): Promise<Array<{ id: string } | { problem: string }>>;
  /** Up to `limit` records of `entity` already stored, with their values as the API gives them. */
  existing(entity: string, limit: number): Promise<Array<Record<string, unknown> & { _id: string }>>;
};

export type SampleResult = { records: number; failed: number; byEntity: Record<string, number>; problems: Array<{ entity: string; problem: string }>; ms: number };

/**
 * How many records each entity gets: its share of `total` by weight (an entity with a `max` keeps
 * to it, counting the `have` it has already; the others share what it leaves), at least one each
 * when there is room.
 */
export function sampleCounts(spec: SampleSpec, total: number, have: readonly number[] = []): number[] {
  const share = (e: SampleEntity) => Math.max(1, Math.floor((total * e.weight) / spec.entities.reduce((s, x) => s + x.weight, 0)));
  const capped = spec.entities.map((e, i) => (e.max !== undefined ? Math.max(0, Math.min(e.max, share(e)) - (have[i] ?? 0)) : undefined));
  const rest = total - capped.reduce<number>((s, n) => s + (n ?? 0), 0);
  const weight = spec.entities.reduce((s, e, i) => s + (capped[i] === undefined ? e.weight : 0), 0);
  const counts = spec.entities.map((e, i) => capped[i] ?? Math.floor((rest * e.weight) / weight));
  const open = counts.map((_, i) => i).filter((i) => capped[i] === undefined);
  for (let i = 0, left = total - counts.reduce((s, n) => s + n, 0); left > 0 && open.length; i = (i + 1) % open.length, left--) counts[open[i]!]!++;
  if (total >= counts.length) {
    for (let i = 0; i < counts.length; i++) {
      if (counts[i] !== 0 || capped[i] !== undefined) continue;
      const donor = counts.indexOf(Math.max(...counts));
      counts[donor]!--;
      counts[i] = 1;
    }
  }
  return counts;
}

/** The fields of each entity that later records read through a relation (relation.field paths). */
function fieldsReadThrough(spec: SampleSpec): Map<string, Set<string>> {
  const needed = new Map<string, Set<string>>();
  for (const e of spec.entities) {
    const paths = Object.values(e.fields).flatMap((g) => [...(Array.isArray(g.from) ? g.from : g.from ? [g.from] : []), g.domainFrom, g.when?.field, ...[...(g.template ?? '').matchAll(/\{([a-zA-Z0-9_.]+)\}/g)].map((m) => m[1])]);
    for (const path of paths) {
      const [relation, field] = path?.split('.') ?? [];
      const target = relation && field ? e.fields[relation]?.entity : undefined;
      if (target && field) needed.set(target, (needed.get(target) ?? new Set()).add(field));
    }
  }
  return needed;
}

type Written = { ids: string[]; values: Map<string, Record<string, unknown>> };

function generateRecord(spec: SampleEntity, index: number, random: Random, today: Date, written: Map<string, Written>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  const read = (path: string): unknown => {
    const [head, field] = path.split('.');
    if (!field) return values[head!];
    const target = spec.fields[head!]?.entity;
    return target ? written.get(target)?.values.get(String(values[head!]))?.[field] : undefined;
  };
  const ref = (entity: string): string | undefined => {
    const ids = written.get(entity)?.ids ?? [];
    // Skewed towards the first records: some accounts have many contacts, most a few.
    return ids.length ? ids[Math.floor(ids.length * random.next() ** 1.6)] : undefined;
  };
  const c: GenContext = { random, today, read, ref, index };
  for (const [field, g] of Object.entries(spec.fields)) {
    const value = generateValue(g, c);
    if (value !== undefined) values[field] = value;
  }
  return values;
}

/**
 * A list with a `max` (departments, leave types) is topped up to it, not added to again: more
 * sample data later links to the records already there.
 */
async function alreadyThere(spec: SampleEntity, store: SampleStore, keep: string[]): Promise<Written> {
  if (spec.max === undefined) return { ids: [], values: new Map() };
  const found = await store.existing(spec.entity, spec.max);
  return { ids: found.map((r) => r._id), values: new Map(found.map((r) => [r._id, Object.fromEntries(keep.map((f) => [f, r[f]]))])) };
}

async function writeEntity(input: { spec: SampleEntity; count: number; before: Written; random: Random; today: Date; written: Map<string, Written>; keep: Set<string> | undefined; store: SampleStore; result: SampleResult }): Promise<void> {
  const { spec, store, result, before, count } = input;
  const mine: Written = { ids: [], values: before.values };
  const batches: Array<Array<Record<string, unknown>>> = [];
  for (let done = 0; done < count; done += BATCH) {
    batches.push(Array.from({ length: Math.min(BATCH, count - done) }, (_, i) => generateRecord(spec, before.ids.length + done + i, input.random, input.today, input.written)));
  }
  // Ids are kept in the order the records were generated, whatever order the batches finish in,
  // so that the same seed links the same children to the same parents.
  const slots: Array<string | undefined> = new Array(Math.max(count, 0));
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const at = next++;
      const batch = batches[at]!;
      const answers = await store.write(spec.entity, batch);
      answers.forEach((a, i) => {
        if ('problem' in a) {
          result.failed++;
          if (result.problems.length < 20) result.problems.push({ entity: spec.entity, problem: a.problem });
          return;
        }
        slots[at * BATCH + i] = a.id;
        if (input.keep) mine.values.set(a.id, Object.fromEntries([...input.keep].map((f) => [f, batch[i]![f]])));
        result.records++;
        result.byEntity[spec.entity] = (result.byEntity[spec.entity] ?? 0) + 1;
      });
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  mine.ids = [...before.ids, ...slots.filter((id): id is string => id !== undefined)];
  input.written.set(spec.entity, mine);
}

export async function seedSample(input: { spec: SampleSpec; total: number; seed: number; store: SampleStore; today?: Date }): Promise<SampleResult> {
  const started = Date.now();
  const random = createRandom(input.seed);
  const today = input.today ?? new Date(new Date().toISOString().slice(0, 10));
  const keep = fieldsReadThrough(input.spec);
  const before = await Promise.all(input.spec.entities.map((e) => alreadyThere(e, input.store, [...(keep.get(e.entity) ?? [])])));
  const counts = sampleCounts(input.spec, Math.min(input.total, MAX_SAMPLE_RECORDS), before.map((b) => b.ids.length));
  const written = new Map<string, Written>();
  const result: SampleResult = { records: 0, failed: 0, byEntity: {}, problems: [], ms: 0 };
  for (const [i, spec] of input.spec.entities.entries()) {
    await writeEntity({ spec, count: counts[i]!, before: before[i]!, random, today, written, keep: keep.get(spec.entity), store: input.store, result });
  }
  result.ms = Date.now() - started;
  return result;
}
