/** Typed calls to the server, one per endpoint the studio uses. */
import { api, type Query } from './client.ts';
import type { ApiRecord, Entity, Form, ListPage, SearchHit, Session, View } from './types.ts';

const enc = encodeURIComponent;
const records = (entity: string) => `/api/entities/${enc(entity)}/records`;

export const auth = {
  session: () => api.get<Session>('/api/auth/session'),
  setupNeeded: () => api.get<{ needed: boolean }>('/api/auth/setup'),
  setup: (body: { token: string; email: string; name: string; password: string }) => api.post<Session>('/api/auth/setup', body),
  signIn: (body: { email: string; password: string }) => api.post<Session>('/api/auth/sign-in', body),
  signOut: () => api.post<void>('/api/auth/sign-out'),
};

export const metadata = {
  entities: async () => (await api.get<{ data: Entity[] }>('/api/metadata/entities')).data,
  entity: (name: string) => api.get<Entity>(`/api/metadata/entities/${enc(name)}`),
};

export const recordsApi = {
  list: (entity: string, query: Query = {}, signal?: AbortSignal) => api.get<ListPage>(records(entity), query, signal),
  count: (entity: string, query: Query = {}) => api.get<{ count: number }>(`${records(entity)}/count`, query),
  get: (entity: string, id: string, expand: string[] = []) => api.get<ApiRecord>(`${records(entity)}/${enc(id)}`, { expand: expand.join(',') || undefined }),
  create: (entity: string, body: Record<string, unknown>) => api.post<ApiRecord>(records(entity), body),
  update: (entity: string, id: string, body: Record<string, unknown>, version: number) =>
    api.patch<ApiRecord>(`${records(entity)}/${enc(id)}`, body, { 'if-match': `"${version}"` }),
  remove: (entity: string, id: string) => api.delete(`${records(entity)}/${enc(id)}`),
  bulkDelete: (entity: string, ids: string[]) => api.post<unknown>(`${records(entity)}/bulk-delete`, { ids }),
};

export const ui = {
  form: (entity: string) => api.get<Form>(`/api/entities/${enc(entity)}/form`),
  views: async (entity: string) => (await api.get<{ items: View[] }>(`/api/entities/${enc(entity)}/views`)).items,
  search: async (q: string) => (await api.get<{ items: SearchHit[] }>('/api/search', { q, limit: 20 })).items,
};

export type HistoryEntry = { id: string; type: string; at: string; actorId: string; channel?: string; changes: { field: string; before?: unknown; after?: unknown }[] };
export type RunSummary = { id: string; workflow: string; status: string; createdAt: string; finishedAt: string | null; error: unknown };
export type PluginAction = { plugin: string; name: string; label: string; input: unknown };

export type RecordMail = { id: string; to: string; template: string; subject: string | null; status: string; createdAt: string; sentAt: string | null };

export type RelatedGroup = { entity: string; field: string; label: string; total: number; data: ApiRecord[] };

export const timeline = {
  related: async (entity: string, id: string) => (await api.get<{ data: RelatedGroup[] }>(`${records(entity)}/${enc(id)}/related`, { limit: 10 })).data,
  mails: async (entity: string, id: string) => (await api.get<{ data: RecordMail[] }>(`${records(entity)}/${enc(id)}/mails`)).data,
  history: async (entity: string, id: string) => (await api.get<{ data: HistoryEntry[] }>(`${records(entity)}/${enc(id)}/history`, { limit: 20 })).data,
  runs: async (entity: string, id: string) => (await api.get<{ data: RunSummary[] }>(`${records(entity)}/${enc(id)}/workflow-runs`)).data,
};

export const actions = {
  list: async (entity: string) => (await api.get<{ data: PluginAction[] }>(`/api/entities/${enc(entity)}/actions`)).data,
  run: (entity: string, id: string, a: PluginAction) => api.post<unknown>(`${records(entity)}/${enc(id)}/actions/${enc(a.plugin)}/${enc(a.name)}`, {}),
};
