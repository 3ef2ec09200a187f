/** Whom an approval request can be handed to (the server's list for that request). */
import { approvalsApi, type Person } from '../../lib/api/workflows.ts';
import { session } from '../../lib/state/session.svelte.ts';

class Delegates {
  list = $state<Person[]>([]);
  error = $state('');

  async load(requestId: string): Promise<void> {
    try {
      this.list = (await approvalsApi.delegates(requestId)).filter((p) => p.id !== session.current?.user.id);
      this.error = '';
    } catch (err) {
      this.list = [];
      this.error = `The list of people could not be loaded: ${(err as Error).message}`;
    }
  }
}

export const people = new Delegates();
