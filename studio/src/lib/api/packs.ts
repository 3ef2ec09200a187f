/** Solution packs (issue 9): list, install with sample data, uninstall. */
import { api } from './client.ts';

export type Pack = { name: string; label: string; description: string | null; version: string; installed: boolean; installedVersion: string | null; installedAt: string | null; items: number };
export type InstallItem = { kind: string; name: string; reason?: string };
export type InstallReport = { created?: InstallItem[]; updated?: InstallItem[]; unchanged?: InstallItem[]; conflicts?: InstallItem[]; skipped?: InstallItem[]; sample?: { records: number; ms: number } | null };

const enc = encodeURIComponent;
export const packsApi = {
  list: async () => (await api.get<{ data: Pack[] }>('/api/packs')).data,
  install: (name: string, sampleRecords: number) => api.post<InstallReport>(`/api/packs/${enc(name)}/install`, { sampleRecords, seed: 1 }),
  uninstall: (name: string, deleteData: boolean) => api.post<unknown>(`/api/packs/${enc(name)}/uninstall`, { deleteData }),
};
