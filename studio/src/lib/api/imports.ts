/** CSV imports (issue 5's API, issue 8's wizard): run one (or a dry run), follow it, read its report, saved mappings. */
import { api, request } from './client.ts';

export type ImportMode = 'create' | 'upsert' | 'update';
export type RowProblem = { row: number; column: string | null; reason: string };
export type ImportJob = {
  id: string; entity: string; mode: ImportMode; dryRun: boolean; status: 'running' | 'done' | 'failed';
  rowsRead: number; created: number; updated: number; unchanged: number; failed: number; blankRows: number;
  problemsTotal: number; problems: RowProblem[]; unmappedColumns: string[]; error?: string;
};
/** Columns by CSV header: a field name, `field.part`, or the spec with a relation's match field. */
export type SavedMapping = { name: string; columns: Record<string, string | { field: string; part?: string; match?: string }>; mode: ImportMode; upsertBy?: string; delimiter?: string };
export type ImportOptions = { columns: Record<string, string>; dryRun: boolean; mode: ImportMode; upsertBy?: string; delimiter?: string; id?: string };

const enc = encodeURIComponent;

export const importsApi = {
  run: (entity: string, csv: Blob, o: ImportOptions) =>
    request<ImportJob>('POST', `/api/entities/${enc(entity)}/imports`, {
      raw: csv, headers: { 'content-type': 'text/csv' },
      query: { columns: JSON.stringify(o.columns), dryRun: o.dryRun, mode: o.mode, upsertBy: o.upsertBy, delimiter: o.delimiter, id: o.id },
    }),
  get: (id: string) => api.get<ImportJob>(`/api/imports/${enc(id)}`),
  problems: (id: string, after = -1) => api.get<{ data: RowProblem[]; nextAfter: number | null }>(`/api/imports/${enc(id)}/problems`, { after, limit: 500 }),
  mappings: async (entity: string) => (await api.get<{ data: SavedMapping[] }>(`/api/entities/${enc(entity)}/import-mappings`)).data,
  saveMapping: (entity: string, name: string, m: Omit<SavedMapping, 'name'>) => api.put<SavedMapping>(`/api/entities/${enc(entity)}/import-mappings/${enc(name)}`, m),
};

/** An id chosen here, so the import can be followed (GET /api/imports/:id) while its upload runs. */
export const newImportId = (): string => [...crypto.getRandomValues(new Uint8Array(12))].map((b) => b.toString(16).padStart(2, '0')).join('');
