/** How each outbox status reads, and which ones can be sent again (the server's rule: failed, suppressed, caught). */
import type { MailStatus } from '../../../lib/api/admin.ts';

export const STATUS_LABEL: Record<MailStatus, string> = {
  pending: 'Queued', sending: 'Sending', sent: 'Sent', failed: 'Failed', suppressed: 'Suppressed (no consent)', caught: 'Caught (no SMTP)',
};
export const STATUSES = Object.keys(STATUS_LABEL) as MailStatus[];
export const retryable = (status: MailStatus): boolean => status === 'failed' || status === 'suppressed' || status === 'caught';
