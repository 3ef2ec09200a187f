/** A user's personal API tokens: create (the token is shown once), list, revoke. */
import { sharedProblems } from '../shared/errors.ts';
import { authProblems } from './auth.problems.ts';
import { compileCheck, failWith } from './check-input.ts';
import { tokenView, type ApiTokens } from './api-tokens.ts';
import type { AccessLog } from './access-log.ts';
import { TOKEN_SCOPES, type TokenScope } from './policy.ts';
import type { Authenticated } from './auth.service.ts';

const MAX_TOKENS = 50;
const DAY_MS = 86_400_000;

const checkCreate = compileCheck<{ name: string; scopes: TokenScope[]; expiresInDays?: number }>({
  type: 'object', additionalProperties: false, required: ['name', 'scopes'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    scopes: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...TOKEN_SCOPES] } },
    expiresInDays: { type: 'integer', minimum: 1, maximum: 365, default: 90 },
  },
});

export type TokensService = ReturnType<typeof createTokensService>;

export function createTokensService(deps: { tokens: ApiTokens; accessLog: AccessLog }) {
  return {
    async create(auth: Authenticated, body: unknown, ip: string) {
      const input = checkCreate(body);
      if (input.scopes.includes('admin') && !auth.actor.admin) failWith([{ pointer: '/scopes', detail: 'admin scope needs an administrator' }]);
      // A token cannot mint tokens wider than itself.
      if (auth.via === 'token' && input.scopes.some((s) => !auth.token.scopes.includes(s))) failWith([{ pointer: '/scopes', detail: 'cannot exceed the scopes of the token used' }]);
      const live = (await deps.tokens.list(auth.user.id)).filter((t) => !t.revokedAt && t.expiresAt.getTime() > Date.now());
      if (live.length >= MAX_TOKENS) throw authProblems.conflict.create({ detail: `You have ${MAX_TOKENS} live tokens; revoke one first` });
      const expiresAt = new Date(Date.now() + (input.expiresInDays ?? 90) * DAY_MS);
      const { token, doc } = await deps.tokens.create({ userId: auth.user.id, name: input.name, scopes: input.scopes, expiresAt });
      await deps.accessLog.record({ kind: 'token-created', actorId: auth.user.id, userId: auth.user.id, ip, detail: { tokenId: doc._id.toHexString(), scopes: input.scopes } });
      return { ...tokenView(doc), token };
    },
    list: async (auth: Authenticated) => (await deps.tokens.list(auth.user.id)).map(tokenView),
    async revoke(auth: Authenticated, id: string, ip: string): Promise<void> {
      if (!(await deps.tokens.revoke(auth.user.id, id))) throw sharedProblems.notFound.create({ detail: 'You have no live token with this id' });
      await deps.accessLog.record({ kind: 'token-revoked', actorId: auth.user.id, userId: auth.user.id, ip, detail: { tokenId: id } });
    },
  };
}
