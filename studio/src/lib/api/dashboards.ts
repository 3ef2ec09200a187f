/** Dashboards (issue 8): the ones made for the user, their numbers, and writing them (administrators). */
import type { DashboardDefinition, DashboardWidget } from '../../../../server/ui/dashboard.types.ts';
import { api } from './client.ts';

export type { DashboardWidget };
export type Dashboard = DashboardDefinition & { name: string };
export type ChartRow = { key: unknown; label: string; value: number | string | null };
export type WidgetData = { title: string; chart: DashboardWidget['chart']; rows: ChartRow[]; error?: undefined } | { title: string; error: { status: number; detail: string } };

const enc = encodeURIComponent;

export const dashboardsApi = {
  list: async () => (await api.get<{ items: Dashboard[] }>('/api/dashboards')).items,
  get: (name: string) => api.get<Dashboard>(`/api/dashboards/${enc(name)}`),
  data: async (name: string) => (await api.get<{ widgets: WidgetData[] }>(`/api/dashboards/${enc(name)}/data`)).widgets,
  put: (name: string, dashboard: DashboardDefinition) => api.put<Dashboard>(`/api/dashboards/${enc(name)}`, dashboard),
  remove: (name: string) => api.delete(`/api/dashboards/${enc(name)}`),
};
