/** Who is signed in, and the entities they may see. Loaded once at start and after sign-in. */
import { setCsrfToken, whenSignedOut } from '../api/client.ts';
import { auth, metadata } from '../api/endpoints.ts';
import { ApiError } from '../api/problem.ts';
import type { Entity, Session } from '../api/types.ts';

class SessionState {
  current = $state<Session | null>(null);
  entities = $state<Entity[]>([]);
  loaded = $state(false);
  setupNeeded = $state(false);

  constructor() {
    whenSignedOut(() => this.clear());
  }

  get admin(): boolean {
    return this.current?.admin ?? false;
  }

  entity(name: string): Entity | undefined {
    return this.entities.find((e) => e.name === name);
  }

  async load(): Promise<void> {
    try {
      await this.signedIn(await auth.session());
    } catch (err) {
      if (!(err instanceof ApiError) || err.status !== 401) throw err;
      this.clear();
      this.setupNeeded = (await auth.setupNeeded()).needed;
    } finally {
      this.loaded = true;
    }
  }

  async signedIn(session: Session): Promise<void> {
    setCsrfToken(session.csrfToken);
    this.current = session;
    this.setupNeeded = false;
    await this.refreshEntities();
  }

  async refreshEntities(): Promise<void> {
    this.entities = (await metadata.entities()).sort((a, b) => a.pluralLabel.localeCompare(b.pluralLabel));
  }

  async signOut(): Promise<void> {
    await auth.signOut().catch(() => undefined);
    this.clear();
  }

  private clear(): void {
    setCsrfToken(undefined);
    this.current = null;
    this.entities = [];
  }
}

export const session = new SessionState();
