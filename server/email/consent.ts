/**
 * Consent and unsubscribe flags (issue 7). Each entity whose records receive mail may name a
 * boolean opt-out field (true: no mail) and/or a boolean consent field (mail only when true), in
 * `mail_settings` (PUT /api/mail/settings/:entity). Without a setting, the convention applies:
 * a boolean field named `emailOptOut` is the opt-out flag and one named `emailConsent` the consent
 * flag. Checked at each delivery attempt, so an unsubscribe between queueing and sending counts.
 */
import type { Collection, Db } from 'mongodb';
import type { MetadataRegistry } from '../metadata/index.ts';
import type { RecordsService } from '../records/index.ts';
import { Problem, type FieldError } from '../shared/errors.ts';
import { SYSTEM_ACTOR } from '../shared/actor.ts';
import { mailProblems } from './email.problems.ts';
import type { RecordRef } from './outbox.store.ts';

export type ConsentFields = { optOutField?: string; consentField?: string };
type SettingsDoc = ConsentFields & { _id: string; updatedAt: Date; updatedBy: string };
export type ConsentCheck = { allowed: true; fields: ConsentFields | null } | { allowed: false; reason: string };

export const CONVENTION = { optOutField: 'emailOptOut', consentField: 'emailConsent' } as const;

export type Consent = ReturnType<typeof createConsent>;

export function createConsent(deps: { db: Db; registry: MetadataRegistry; records: () => RecordsService }) {
  const settings: Collection<SettingsDoc> = db(deps);
  const isBoolean = (entity: string, field: string | undefined) => !!field && deps.registry.get(entity)?.fields.get(field)?.type === 'boolean';

  /** The entity's flags: its setting, else the convention; null when it has neither. */
  async function fieldsOf(entity: string): Promise<ConsentFields | null> {
    const saved = await settings.findOne({ _id: entity });
    const chosen: ConsentFields = saved ? { optOutField: saved.optOutField, consentField: saved.consentField } : { ...CONVENTION };
    const fields: ConsentFields = {};
    if (isBoolean(entity, chosen.optOutField)) fields.optOutField = chosen.optOutField;
    if (isBoolean(entity, chosen.consentField)) fields.consentField = chosen.consentField;
    return fields.optOutField || fields.consentField ? fields : null;
  }

  return {
    fieldsOf,
    async check(recipient: RecordRef): Promise<ConsentCheck> {
      const fields = await fieldsOf(recipient.entity);
      if (!fields) return { allowed: true, fields: null };
      let record: Record<string, unknown>;
      try {
        record = await deps.records().get(recipient.entity, recipient.id, SYSTEM_ACTOR);
      } catch (err) {
        if (err instanceof Problem && err.status === 404) return { allowed: false, reason: `the recipient's ${recipient.entity} record no longer exists` };
        throw err;
      }
      if (fields.optOutField && record[fields.optOutField] === true) return { allowed: false, reason: `the recipient unsubscribed (${recipient.entity}.${fields.optOutField} is set)` };
      if (fields.consentField && record[fields.consentField] !== true) return { allowed: false, reason: `the recipient has not consented to email (${recipient.entity}.${fields.consentField} is not set)` };
      return { allowed: true, fields };
    },
    list: async () => (await settings.find({}).sort({ _id: 1 }).toArray()).map(({ _id, ...rest }) => ({ entity: _id, ...rest })),
    async save(entity: string, body: unknown, by: string): Promise<ConsentFields> {
      const b = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
      const errors: FieldError[] = [];
      if (!deps.registry.get(entity)) errors.push({ pointer: '/entity', detail: `there is no entity "${entity}"` });
      for (const key of Object.keys(b)) if (key !== 'optOutField' && key !== 'consentField') errors.push({ pointer: `/${key}`, detail: 'is not allowed here' });
      for (const key of ['optOutField', 'consentField'] as const) {
        if (b[key] === undefined || b[key] === null) continue;
        if (typeof b[key] !== 'string' || !isBoolean(entity, b[key])) errors.push({ pointer: `/${key}`, detail: `must name a boolean field of ${entity}` });
      }
      if (errors.length) throw mailProblems.invalidSettings.create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}`, errors });
      const fields: ConsentFields = { ...(typeof b.optOutField === 'string' ? { optOutField: b.optOutField } : {}), ...(typeof b.consentField === 'string' ? { consentField: b.consentField } : {}) };
      await settings.replaceOne({ _id: entity }, { ...fields, updatedAt: new Date(), updatedBy: by }, { upsert: true });
      return fields;
    },
  };
}

const db = (deps: { db: Db }): Collection<SettingsDoc> => deps.db.collection('mail_settings');
