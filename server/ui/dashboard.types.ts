/* Generated from schemas/dashboard.schema.json by schemas/tools/generate-types.ts; do not edit. */

/**
 * A dashboard (issue 8): charts built from group-by reports over records, each computed in the viewer's read scope.
 */
export interface DashboardDefinition {
  /**
   * Immutable key; optional in the body, and then taken from the URL.
   */
  name?: string;
  label: string;
  /**
   * The roles the dashboard is for; without roles it is for everyone.
   *
   * @maxItems 50
   */
  roles?: string[];
  /**
   * @maxItems 24
   */
  widgets: DashboardWidget[];
}
export interface DashboardWidget {
  title: string;
  entity: string;
  chart: 'bar' | 'pie' | 'line' | 'number' | 'table';
  /**
   * Required except for a number chart.
   */
  groupBy?: string;
  measure: DashboardMeasure;
  /**
   * A records filter, the same JSON that GET /api/entities/{entity}/records?filter= accepts.
   */
  filter?: {
    [k: string]: unknown;
  };
  /**
   * When groupBy is a date or datetime field: group by day, week (starting Monday), month or year.
   */
  dateBucket?: 'day' | 'week' | 'month' | 'year';
}
export interface DashboardMeasure {
  op: 'count' | 'sum' | 'avg' | 'min' | 'max';
  /**
   * A numeric or currency field; required except for count.
   */
  field?: string;
}
