/**
 * Dashboards (issue 8), in `ui_dashboards`, one document per name. Administrators write them;
 * everyone signed in sees those made for one of their roles or for everyone, and their data,
 * computed in their own read scope.
 */
import type { Db } from 'mongodb';
import dashboardSchema from '../../schemas/dashboard.schema.json' with { type: 'json' };
import type { MetadataRegistry } from '../metadata/index.ts';
import type { DashboardDefinition } from './dashboard.types.ts';
import { dashboardData, type DataDeps } from './dashboard-data.ts';
import { checkShape, invalidWith, schemaValidator } from './schema-check.ts';
import { uiProblems } from './ui.problems.ts';
import { dashboardProblems } from './validate-dashboard.ts';
import { offeredTo, type Viewer } from './viewer.ts';

export const DASHBOARDS = 'ui_dashboards';
export type Dashboard = DashboardDefinition & { name: string };
export type DashboardDoc = Dashboard & { _id: string; updatedAt: Date; updatedBy: string };

const NAME = /^[a-z][a-zA-Z0-9]{0,39}$/;
const MAX_DASHBOARDS = 200;
const validator = schemaValidator(dashboardSchema);

const toDashboard = ({ name, label, roles, widgets }: DashboardDoc): Dashboard => ({ name, label, ...(roles ? { roles } : {}), widgets });

export function createDashboardsStore(deps: { db: Db; registry: MetadataRegistry } & DataDeps) {
  const dashboards = deps.db.collection<DashboardDoc>(DASHBOARDS);

  function check(name: string, body: unknown): DashboardDefinition {
    if (!NAME.test(name)) throw invalidWith(uiProblems.invalidDashboard, [{ pointer: '/name', detail: 'must start with a lower-case letter and have at most 40 letters and digits' }]);
    const shape = checkShape<DashboardDefinition>(validator, body);
    if (!shape.ok) throw invalidWith(uiProblems.invalidDashboard, shape.errors);
    const dashboard = shape.value;
    const errors = [...(dashboard.name !== undefined && dashboard.name !== name ? [{ pointer: '/name', detail: `must be ${name}, the name in the URL` }] : []), ...dashboardProblems(deps.registry, dashboard)];
    if (errors.length) throw invalidWith(uiProblems.invalidDashboard, errors);
    return dashboard;
  }

  /** The dashboard if it is for the viewer; one made for other roles does not exist for them. */
  async function find(name: string, viewer: Viewer): Promise<DashboardDoc> {
    const doc = NAME.test(name) ? await dashboards.findOne({ _id: name }) : null;
    if (!doc || !offeredTo(doc.roles, viewer)) throw uiProblems.dashboardNotFound.create({ detail: `There is no dashboard "${name}"` });
    return doc;
  }

  return {
    async list(viewer: Viewer): Promise<Dashboard[]> {
      const docs = await dashboards.find({}).sort({ label: 1, _id: 1 }).limit(MAX_DASHBOARDS).toArray();
      return docs.filter((d) => offeredTo(d.roles, viewer)).map(toDashboard);
    },
    get: async (name: string, viewer: Viewer): Promise<Dashboard> => toDashboard(await find(name, viewer)),
    async data(name: string, viewer: Viewer) {
      return dashboardData(deps, (await find(name, viewer)).widgets, viewer.actor);
    },
    async put(name: string, body: unknown, actorId: string): Promise<{ created: boolean; dashboard: Dashboard }> {
      const dashboard = check(name, body);
      const exists = (await dashboards.countDocuments({ _id: name }, { limit: 1 })) > 0;
      if (!exists && (await dashboards.countDocuments({})) >= MAX_DASHBOARDS) throw uiProblems.tooMany.create({ detail: `There are already ${MAX_DASHBOARDS} dashboards` });
      const doc: DashboardDoc = { _id: name, ...dashboard, name, updatedAt: new Date(), updatedBy: actorId };
      await dashboards.replaceOne({ _id: name }, doc, { upsert: true });
      return { created: !exists, dashboard: toDashboard(doc) };
    },
    async remove(name: string, viewer: Viewer): Promise<void> {
      await dashboards.deleteOne({ _id: (await find(name, viewer))._id });
    },
  };
}
