/**
 * Typed calls for the Design area's administration screens (issue 8): templates, plugins, users
 * and roles, the mail outbox and the recycle bin. The shapes mirror the server's routes in
 * server/templates, server/plugins, server/auth, server/email and server/lifecycle.
 */
import { api } from './client.ts';
import { ApiError, type FieldError } from './problem.ts';
import type { EntityPermission, RoleDefinition, SharingRule } from '../../../../server/auth/role.types.ts';
import type { TemplateDefinition } from '../../../../server/templates/template.types.ts';

export type { EntityPermission, RoleDefinition, SharingRule, TemplateDefinition };

const enc = encodeURIComponent;
const data = async <T>(p: Promise<{ data: T }>): Promise<T> => (await p).data;

// Templates ------------------------------------------------------------------------------------

export type TemplateKind = TemplateDefinition['kind'];
export type Template = TemplateDefinition & { name: string; version: number; source: 'custom' | 'default'; hasDefault: boolean; updatedAt?: string; updatedBy?: string };
export type TemplateVersion = { name: string; version: number; definition: TemplateDefinition; deleted: boolean; at: string; by: string };
export type Rendered = { template: { name: string; version: number | null; kind: TemplateKind }; subject?: string; html?: string; text?: string };
export type PreviewInput = { entity?: string; recordId?: string; data?: Record<string, unknown>; draft?: TemplateDefinition };

export const templatesApi = {
  list: () => data(api.get<{ data: Template[] }>('/api/templates')),
  get: (name: string) => api.get<Template>(`/api/templates/${enc(name)}`),
  save: (name: string, body: TemplateDefinition) => api.put<Template>(`/api/templates/${enc(name)}`, body),
  /** Deletes the saved version; a template shipped with Rapport goes back to its default. */
  remove: (name: string) => api.delete(`/api/templates/${enc(name)}`),
  history: (name: string) => data(api.get<{ data: TemplateVersion[] }>(`/api/templates/${enc(name)}/versions`)),
  restore: (name: string, version: number) => api.post<Template>(`/api/templates/${enc(name)}/versions/${version}/restore`),
  preview: (name: string, body: PreviewInput) => api.post<Rendered>(`/api/templates/${enc(name)}/preview`, body),
};

// Plugins --------------------------------------------------------------------------------------

export type PluginStatus = 'installed' | 'enabled' | 'disabled';
export type Plugin = {
  id: string; name: string; version: string; description: string | null; status: PluginStatus;
  requested: string[]; grants: string[]; settings: Record<string, unknown>;
  hooks: { event: string; entity: string }[]; actions: { name: string; label: string; entity: string }[]; endpoints: { method: string; path: string }[];
  failures: number; disabledReason: string | null; installedAt: string; updatedAt: string; settingsSchema: JsonSchema | null;
};
/** A plugin folder under plugins/ on the server, installed or not. */
export type AvailablePlugin = { id: string; name: string; version: string; description: string | null; capabilities: string[]; installedVersion: string | null };
/** One call of a plugin's handler, with what it logged. */
export type PluginLog = { at: string; handler: string; ok: boolean; durationMs: number; error?: string; logs: { level: 'log' | 'warn' | 'error'; text: string; at: number }[] };
export type JsonSchema = { type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; description?: string; title?: string; default?: unknown; enum?: unknown[]; minimum?: number; maximum?: number; pattern?: string };

export const pluginsApi = {
  list: () => api.get<{ data: Plugin[]; available?: AvailablePlugin[] }>('/api/plugins'),
  get: (id: string) => api.get<Plugin>(`/api/plugins/${enc(id)}`),
  install: (id: string) => api.post<Plugin>('/api/plugins', { id }),
  enable: (id: string) => api.post<Plugin>(`/api/plugins/${enc(id)}/enable`),
  disable: (id: string) => api.post<Plugin>(`/api/plugins/${enc(id)}/disable`),
  grant: (id: string, grants: string[]) => api.put<Plugin>(`/api/plugins/${enc(id)}/grants`, { grants }),
  configure: (id: string, settings: Record<string, unknown>) => api.put<Plugin>(`/api/plugins/${enc(id)}/settings`, { settings }),
  uninstall: (id: string) => api.delete(`/api/plugins/${enc(id)}`),
  logs: (id: string) => data(api.get<{ data: PluginLog[] }>(`/api/plugins/${enc(id)}/logs`, { limit: 100 })),
};

// Users and roles ------------------------------------------------------------------------------

export type AdminUser = { id: string; email: string; name: string; active: boolean; roles: string[]; team: string | null; attributes: Record<string, unknown>; createdAt: string; updatedAt: string };
export type NewUser = { email: string; name: string; roles: string[]; team?: string | null };
export type PasswordLink = { token: string; expiresAt: string; path: string };
export type AccessLogEntry = { id: string; kind: string; at: string; actorId: string | null; userId: string | null; ip: string | null; detail?: Record<string, unknown> };

let names: Promise<Map<string, string>> | undefined;

export const usersApi = {
  list: () => data(api.get<{ data: AdminUser[] }>('/api/users')),
  create: (body: NewUser) => ((names = undefined), api.post<AdminUser>('/api/users', body)),
  update: (id: string, body: Partial<NewUser> & { active?: boolean }) => api.patch<AdminUser>(`/api/users/${enc(id)}`, body),
  passwordLink: (id: string) => api.post<PasswordLink>(`/api/users/${enc(id)}/password-link`),
  accessLog: (query: { kind?: string; userId?: string; before?: string }) => api.get<{ data: AccessLogEntry[]; nextBefore: string | null }>('/api/access-log', { ...query, limit: 100 }),
};

/** The one-time link's page (/reset-password#token=…): anyone holding the token sets the password. */
export const confirmPasswordReset = (token: string, password: string) => api.post<void>('/api/auth/password-reset/confirm', { token, password });

/** Who did something, by name: history and the recycle bin name users by id. Fetched once per page load. */
export const userNames = (): Promise<Map<string, string>> => (names ??= usersApi.list().then((users) => new Map(users.map((u) => [u.id, u.name])), () => new Map()));

export const rolesApi = {
  list: () => data(api.get<{ data: RoleDefinition[] }>('/api/roles')),
  get: (name: string) => api.get<RoleDefinition>(`/api/roles/${enc(name)}`),
  save: (role: RoleDefinition) => api.put<RoleDefinition>(`/api/roles/${enc(role.name)}`, role),
  remove: (name: string) => api.delete(`/api/roles/${enc(name)}`),
};

// Mail outbox ----------------------------------------------------------------------------------

export type MailStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'suppressed' | 'caught';
export type RecordRef = { entity: string; id: string };
export type MailSummary = {
  id: string; to: string; template: string; status: MailStatus; subject: string | null; attempts: number; lastError: string | null;
  nextAttemptAt: string | null; suppressedReason: string | null; record: RecordRef | null; createdAt: string; sentAt: string | null;
};
export type Mail = MailSummary & { from: string | null; replyTo: string | null; data: Record<string, unknown>; html: string | null; text: string | null; templateVersion: number | null };

/** Which boolean fields of an entity stop mail to its records (opt-out) or allow it (consent). */
export type ConsentSetting = { entity: string; optOutField?: string; consentField?: string };

export const outboxApi = {
  list: (status?: MailStatus) => data(api.get<{ data: MailSummary[] }>('/api/mail/outbox', { status, limit: 200 })),
  get: (id: string) => api.get<Mail>(`/api/mail/outbox/${enc(id)}`),
  retry: (id: string) => api.post<Mail>(`/api/mail/outbox/${enc(id)}/retry`),
  consent: () => data(api.get<{ data: ConsentSetting[] }>('/api/mail/settings')),
  saveConsent: (entity: string, body: { optOutField?: string; consentField?: string }) => api.put<ConsentSetting>(`/api/mail/settings/${enc(entity)}`, body),
};

// Recycle bin ----------------------------------------------------------------------------------

export type BinEntry = {
  id: string; entity: string; recordId: string; title: string | null; deletedAt: string; deletedBy: string; purgeAt: string;
  cascadedFrom: string | null; unlinked: { entity: string; field: string; count: number }[];
};
export type Restored = { restored: RecordRef[]; relinked: number; cleared: { entity: string; recordId: string; field: string }[] };

export const recycleBinApi = {
  list: (query: { entity?: string; cursor?: string } = {}) => api.get<{ data: BinEntry[]; nextCursor: string | null }>('/api/recycle-bin', { ...query, limit: 100 }),
  restore: (id: string) => api.post<Restored>(`/api/recycle-bin/${enc(id)}/restore`),
  purge: (id: string) => api.delete(`/api/recycle-bin/${enc(id)}`),
};

// Errors at their controls ---------------------------------------------------------------------

/** A problem's error for one control: the one at its JSON Pointer, or the first one below it. */
export function errorAt(errors: readonly FieldError[], pointer: string): string | undefined {
  return (errors.find((e) => e.pointer === pointer) ?? errors.find((e) => e.pointer.startsWith(`${pointer}/`)))?.detail;
}

/** The problem's errors, or none when it is some other failure (which the caller says at the top). */
export const errorsOf = (err: unknown): FieldError[] => (err instanceof ApiError ? err.errors : []);
