/** The form designer's calls (issue 8): forms of an entity, roles to offer them to, a field's requiredWhen. */
import { api, request } from './client.ts';
import { recordsApi } from './endpoints.ts';
import type { ApiRecord, Entity, Field, Form } from './types.ts';

const enc = encodeURIComponent;
const forms = (entity: string) => `/api/entities/${enc(entity)}/forms`;

export type RoleSummary = { name: string; label?: string };

export const formsApi = {
  list: async (entity: string) => (await api.get<{ items: Form[] }>(forms(entity))).items,
  get: (entity: string, name: string) => api.get<Form>(`${forms(entity)}/${enc(name)}`),
  put: (entity: string, name: string, form: Omit<Form, 'name' | 'entity'>) => api.put<Form>(`${forms(entity)}/${enc(name)}`, form),
  remove: (entity: string, name: string) => api.delete(`${forms(entity)}/${enc(name)}`),
};

export const rolesApi = {
  list: async () => (await api.get<{ data: RoleSummary[] }>('/api/roles')).data,
};

/** Replaces one field of the entity (how conditional required is set: it is the field's own rule). */
export const replaceField = (entity: Entity, field: Field) =>
  request<Entity>('PUT', `/api/metadata/entities/${enc(entity.name)}/fields/${enc(field.name)}`, { body: field, headers: { 'if-match': `"${entity.version}"` } });

/** The newest record of the entity with its parents expanded, as a sample for the preview; null when there is none. */
export async function sampleRecord(entity: Entity): Promise<ApiRecord | null> {
  const [latest] = (await recordsApi.list(entity.name, { limit: 1 })).data;
  if (!latest) return null;
  return recordsApi.get(entity.name, latest._id, entity.fields.filter((f) => f.type === 'relation').map((f) => f.name));
}
