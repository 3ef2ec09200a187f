/**
 * The pending event a write carries in its own document (`_outbox`), so the record change and
 * "something must happen because of it" are one atomic write: the dispatcher moves events on
 * (audit now; workflows and after-save hooks in issues 6–7) and none is lost or invented.
 */
import { ObjectId, type Document } from 'mongodb';
import type { Actor } from '../shared/actor.ts';
import { fieldTypeOf, type CompiledEntity } from '../metadata/index.ts';
import type { FieldChange } from '../audit/event-changes.ts';

export type { FieldChange };

/** `merge`: the writes of a merge (issue 5), so the history says where the survivor's new values came from. */
export type Channel = 'api' | 'import' | 'workflow' | 'plugin' | 'system' | 'merge';


export type ChangeEvent = {
  id: ObjectId;
  type: 'created' | 'updated' | 'deleted' | 'restored';
  entity: string;
  recordId: ObjectId;
  at: Date;
  actorId: string;
  channel: Channel;
  /** The fields the write changed, values in their API form (workflows read them; the audit log keeps them when the entity is audited). */
  changes?: FieldChange[];
  /** false when the entity is not audited: the event still reaches plugins and workflows, but no audit entry is written. */
  audited?: false;
  /** How many plugin hooks deep the write was (after-save hooks stop at the same cap as before-save). */
  depth?: number;
};

type EventInput = {
  entity: CompiledEntity;
  type: ChangeEvent['type'];
  before: Document | null;
  after: Document | null;
  actor: Actor;
  channel: Channel;
  at: Date;
  depth?: number;
};

/** The event for a write, or null when an update changes no field. */
export function changeEvent(input: EventInput): ChangeEvent | null {
  const { entity, before, after } = input;
  const changes: FieldChange[] = [];
  for (const field of entity.definition.fields) {
    const a = before?.[field.name];
    const b = after?.[field.name];
    if (sameValue(a, b) || (a === undefined && b === undefined)) continue;
    const handler = fieldTypeOf(field);
    changes.push({ field: field.name, before: a === undefined ? null : handler.toApi(a, field), after: b === undefined ? null : handler.toApi(b, field) });
  }
  if (input.type === 'updated' && changes.length === 0) return null;
  const recordId = (after?._id ?? before?._id) as ObjectId;
  return {
    id: new ObjectId(),
    type: input.type,
    entity: entity.name,
    recordId,
    at: input.at,
    actorId: input.actor.id,
    channel: input.channel,
    changes,
    ...(entity.definition.audit === false ? { audited: false as const } : {}),
    ...(input.depth ? { depth: input.depth } : {}),
  };
}

export function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof ObjectId && b instanceof ObjectId) return a.equals(b);
  if (a && b && typeof a === 'object' && typeof b === 'object') return JSON.stringify(a) === JSON.stringify(b);
  return false;
}
