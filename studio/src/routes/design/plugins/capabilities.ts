/**
 * What each capability a plugin asks for lets it do, in words an administrator can weigh before
 * granting it (the manifest's patterns: schemas/plugin-manifest.schema.json).
 */
import type { Entity } from '../../../lib/api/types.ts';

export type CapabilityInfo = { title: string; detail: string; risk: 'moderate' | 'high' };

export function describeCapability(capability: string, entityOf: (name: string) => Entity | undefined): CapabilityInfo {
  const [kind, verb, target = ''] = capability.split(':');
  const plural = (name: string) => entityOf(name)?.pluralLabel ?? name;
  const one = (name: string) => (entityOf(name)?.label ?? name).toLowerCase();
  if (kind === 'records' && verb === 'read') {
    return { title: `Read ${plural(target)}`, detail: `Can look up and read ${one(target)} records, within the permissions of the user each call runs for.`, risk: 'moderate' };
  }
  if (kind === 'records' && verb === 'write') {
    return { title: `Change ${plural(target)}`, detail: `Can create, change and delete ${one(target)} records (and read them), within the permissions of the user each call runs for.`, risk: 'high' };
  }
  if (kind === 'http' && verb === 'fetch') {
    const where = target.startsWith('*.') ? `${target.slice(2)} and any of its subdomains` : target;
    return { title: `Send requests to ${where}`, detail: `Can send data it can read to ${where} over HTTPS and read the answers. Only grant this for a service you trust with that data.`, risk: 'high' };
  }
  if (capability === 'email:send') return { title: 'Send email', detail: 'Can queue emails to any address through the outbox, in your organisation’s name.', risk: 'high' };
  return { title: capability, detail: 'A capability this version of the studio does not describe.', risk: 'high' };
}
