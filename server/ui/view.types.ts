/* Generated from schemas/view.schema.json by schemas/tools/generate-types.ts; do not edit. */

export type FieldName = string;

/**
 * A saved list view of one entity (issue 8): a table, a kanban board by a select field or a calendar by a date field, with columns, a filter, a sort and a grouping. Private to its owner unless an administrator shares it.
 */
export interface ViewDefinition {
  _id?: string;
  /**
   * Optional in the body, and then taken from the URL.
   */
  entity?: string;
  label: string;
  kind: 'table' | 'kanban' | 'calendar';
  /**
   * @minItems 1
   * @maxItems 50
   */
  columns: FieldName[];
  /**
   * A records filter, the same JSON that GET /api/entities/{entity}/records?filter= accepts.
   */
  filter?: {
    [k: string]: unknown;
  };
  /**
   * The records sort parameter: comma-separated field names, - for descending.
   */
  sort?: string;
  groupBy?: FieldName;
  /**
   * A select field; required for a kanban view.
   */
  kanbanField?: string;
  /**
   * A date or datetime field; required for a calendar view.
   */
  dateField?: string;
  /**
   * Shown to everyone who can read the entity; only administrators share views.
   */
  shared?: boolean;
  owner?: string;
  createdAt?: string;
  updatedAt?: string;
}
