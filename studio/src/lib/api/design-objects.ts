/**
 * Calls of the Design → Objects screens (issue 8): entity and field definitions, the archive,
 * renames and type conversions. Writes to a definition carry its version (If-Match).
 */
import { api, request } from './client.ts';
import type { Entity, Field } from './types.ts';

const enc = encodeURIComponent;
const entityPath = (name: string) => `/api/metadata/entities/${enc(name)}`;
const fieldPath = (entity: string, field: string) => `${entityPath(entity)}/fields/${enc(field)}`;
const ifMatch = (version: number) => ({ 'if-match': `"${version}"` });

export type NewEntity = { name: string; label: string; pluralLabel: string; titleField: string; fields: Field[] };
export type ArchiveEntry = { id: string; kind: 'field' | 'entity'; entity: string; field?: Field; archivedAt: string; archivedBy: string; purgeAt: string };
export type ConversionSample = { recordId: string; before?: unknown; after?: unknown; value?: unknown; reason?: string };
export type ConversionPlan = { from: string; to: string; total: number; convertible: number; notConvertible: number; samples: { converted: ConversionSample[]; notConverted: ConversionSample[] } };
export type ConversionJob = { id: string; entity: string; field: string; status: 'running' | 'done' | 'failed' | 'rolledBack'; total: number; processed: number; converted: number; failed: number; error?: string };

/** What GET answers beyond the definition itself; PUT takes the definition alone. */
export function definitionOf(entity: Entity): Record<string, unknown> {
  const { version: _v, metadataVersion: _m, permissions: _p, ...rest } = entity as Entity & { updatedAt?: string };
  delete (rest as { updatedAt?: string }).updatedAt;
  return rest;
}

export const objectsApi = {
  create: (body: NewEntity) => api.post<Entity>('/api/metadata/entities', body),
  replace: (entity: Entity, fields: Field[]) =>
    request<Entity>('PUT', entityPath(entity.name), { body: { ...definitionOf(entity), fields }, headers: ifMatch(entity.version) }),
  addField: (entity: Entity, field: Record<string, unknown>) =>
    request<Entity>('POST', `${entityPath(entity.name)}/fields`, { body: field, headers: ifMatch(entity.version) }),
  replaceField: (entity: Entity, name: string, field: Record<string, unknown>) =>
    request<Entity>('PUT', fieldPath(entity.name, name), { body: field, headers: ifMatch(entity.version) }),
  archiveField: (entity: Entity, name: string) => request<Entity>('DELETE', fieldPath(entity.name, name), { headers: ifMatch(entity.version) }),
  renameField: (entity: string, from: string, to: string) => api.post<Entity>(`${fieldPath(entity, from)}/rename`, { name: to }),
  archived: async (entity: string) => (await api.get<{ data: ArchiveEntry[] }>('/api/metadata/archive', { entity })).data,
  restore: (id: string) => api.post<Entity>(`/api/metadata/archive/${enc(id)}/restore`),
  conversionPlan: (entity: string, field: string, to: Record<string, unknown>) => api.post<ConversionPlan>(`${fieldPath(entity, field)}/conversion-plan`, { to }),
  convert: (entity: string, field: string, to: Record<string, unknown>) => api.post<ConversionJob>(`${fieldPath(entity, field)}/conversions`, { to }),
  conversion: (id: string) => api.get<ConversionJob>(`/api/metadata/conversions/${enc(id)}`),
};
