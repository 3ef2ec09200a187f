/**
 * The approval requests waiting for the signed-in user: one list shared by the inbox, the top
 * bar's count and the record page's banner, refreshed after every decision and every minute.
 */
import { approvalsApi, type ApprovalRequest } from '../../lib/api/workflows.ts';

const REFRESH_MS = 60_000;

class PendingApprovals {
  list = $state<ApprovalRequest[]>([]);
  loaded = $state(false);
  private timer: ReturnType<typeof setInterval> | undefined;

  get count(): number {
    return this.list.length;
  }

  async refresh(): Promise<void> {
    try {
      this.list = await approvalsApi.mine();
    } catch {
      this.list = [];
    } finally {
      this.loaded = true;
    }
  }

  /** Keeps the list fresh while someone is signed in; returns the stop function (an $effect's cleanup). */
  watch(): () => void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), REFRESH_MS);
    return () => {
      clearInterval(this.timer);
      // Signed out: the next person must not see this one's requests, even for a moment.
      this.list = [];
      this.loaded = false;
    };
  }

  forRecord(entity: string, id: string): ApprovalRequest[] {
    return this.list.filter((r) => r.record?.entity === entity && r.record.id === id);
  }

  /** Approve, reject or delegate; the list is read again so every view agrees. */
  async decide(id: string, decision: 'approve' | 'reject', comment?: string): Promise<void> {
    await (decision === 'approve' ? approvalsApi.approve(id, comment) : approvalsApi.reject(id, comment));
    this.list = this.list.filter((r) => r.id !== id);
    void this.refresh();
  }

  async delegate(id: string, to: string, comment?: string): Promise<void> {
    await approvalsApi.delegate(id, to, comment);
    await this.refresh();
  }
}

export const pending = new PendingApprovals();
