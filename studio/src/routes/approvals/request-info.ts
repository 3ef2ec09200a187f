/** How an approval request reads: the record's title, the workflow's name, who asked, when. */
import { recordsApi } from '../../lib/api/endpoints.ts';
import type { ApprovalRequest } from '../../lib/api/workflows.ts';
import { titleOf } from '../../lib/components/fields/format.ts';
import { session } from '../../lib/state/session.svelte.ts';

/** "longLeave" → "Long leave". */
export const humanize = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().replace(/^./, (c) => c.toUpperCase());

export async function recordTitle(r: ApprovalRequest): Promise<string> {
  if (!r.record) return 'No record';
  const entity = session.entity(r.record.entity);
  try {
    return titleOf(entity, await recordsApi.get(r.record.entity, r.record.id));
  } catch {
    return `${entity?.label ?? r.record.entity} record`;
  }
}

export function askedBy(r: ApprovalRequest): string {
  if (!r.requestedBy) return 'a workflow';
  return r.requestedBy.id === session.current?.user.id ? 'you' : r.requestedBy.name;
}

export const when = (iso: string): string => new Date(iso).toLocaleString();

/** Where the request stands: "1 of 2 approved". */
export function progress(r: ApprovalRequest): string {
  const live = r.slots.filter((s) => s.status !== 'escalated');
  const approved = live.filter((s) => s.status === 'approved').length;
  return `${approved} of ${live.length} approved${r.decide === 'any' ? ' (any one decides)' : ''}`;
}
