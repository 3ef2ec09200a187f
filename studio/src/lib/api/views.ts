/** Saved list views and the list-screen calls beyond a plain list: group counts and bulk updates (issue 8). */
import { api, type Query } from './client.ts';
import type { ApiRecord, View } from './types.ts';

const enc = encodeURIComponent;
const views = (entity: string) => `/api/entities/${enc(entity)}/views`;
const records = (entity: string) => `/api/entities/${enc(entity)}/records`;

export type Group = { key: Record<string, unknown>; count: number; [metric: string]: unknown };
export type BulkResult = { succeeded: number; failed: number; results: { index: number; status: number; record?: ApiRecord; problem?: { title: string; detail?: string; errors?: { pointer: string; detail: string }[] } }[] };

export const viewsApi = {
  list: async (entity: string) => (await api.get<{ items: View[] }>(views(entity))).items,
  create: (entity: string, view: View) => api.post<View>(views(entity), strip(view)),
  replace: (entity: string, id: string, view: View) => api.put<View>(`${views(entity)}/${enc(id)}`, strip(view)),
  remove: (entity: string, id: string) => api.delete(`${views(entity)}/${enc(id)}`),
};

/** The server owns these; sending them back would be refused by the view schema's shape check. */
function strip(view: View): Record<string, unknown> {
  const { _id: _a, owner: _b, entity: _c, ...rest } = view as View & { createdAt?: string; updatedAt?: string };
  const { createdAt: _d, updatedAt: _e, ...body } = rest;
  return body;
}

export const listApi = {
  groupBy: async (entity: string, query: Query & { by: string }) => (await api.get<{ groups: Group[]; truncated: boolean }>(`${records(entity)}/group-by`, query)).groups,
  bulkUpdate: (entity: string, items: Record<string, unknown>[]) => api.post<BulkResult>(`${records(entity)}/bulk-update`, { records: items }),
};
