/**
 * The studio's metadata (issue 8): forms, list views and dashboards, stored in MongoDB and live
 * at once, and following field renames.
 */
import type { Db } from 'mongodb';
import type { MetadataRegistry } from '../metadata/index.ts';
import { createFormsStore } from './forms.store.ts';
import { createViewsStore } from './views.store.ts';
import { createDashboardsStore } from './dashboards.store.ts';
import { createUiRename } from './follow-rename.ts';
import { uiRoutes } from './ui.routes.ts';

export { uiProblems } from './ui.problems.ts';
export type { FormDefinition } from './form.types.ts';
export type { ViewDefinition } from './view.types.ts';
export type { DashboardDefinition } from './dashboard.types.ts';

/** `userLabel`: a user's name for dashboards grouped by a user field. */
export function createUi(deps: { db: Db; registry: MetadataRegistry; userLabel?: (id: string) => string | undefined }) {
  const ctx = { db: deps.db, registry: deps.registry };
  const forms = createFormsStore(ctx);
  const views = createViewsStore(ctx);
  const dashboards = createDashboardsStore({ ...ctx, ctx, userLabel: deps.userLabel });
  return {
    routes: uiRoutes({ forms, views, dashboards }),
    /** The stores themselves, for installing a solution pack's forms, views and dashboards (issue 9). */
    forms, views, dashboards,
    /** Forms, views and dashboards name the field by its new name. */
    fieldRenamed: createUiRename(deps.db),
    init: () => Promise.all([forms.init(), views.init()]),
  };
}
