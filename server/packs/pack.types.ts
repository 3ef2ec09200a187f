/* Generated from schemas/pack.schema.json by schemas/tools/generate-types.ts; do not edit. */

export type PackName = string;
export type ApiName = string;

/**
 * A solution pack, or a metadata export (issue 9): a configuration as one JSON document. A pack lives in schemas/packs/<name>/ as a pack.json manifest (see $defs/manifest) and the section files it includes; an export is the same document in one file. Each item of a section is checked by the service that installs it (entities by the metadata service against entity.schema.json, roles against role.schema.json, workflows against workflow.schema.json, templates against template.schema.json, duplicate rules against duplicate-rule.schema.json, forms, views and dashboards against form/view/dashboard.schema.json), so a problem is reported with a JSON Pointer into the item.
 */
export interface PackDocument {
  name: PackName;
  label: string;
  description?: string;
  version?: string;
  /**
   * Set by `rapport metadata export`.
   */
  exportedAt?: string;
  /**
   * Entity definitions (entity.schema.json), in any order: relations between them are created in two passes.
   *
   * @maxItems 200
   */
  entities?: NamedItem[];
  /**
   * Role definitions (role.schema.json) with their sharing rules.
   *
   * @maxItems 100
   */
  roles?: NamedItem[];
  /**
   * Handlebars templates (template.schema.json); `name` is required here.
   *
   * @maxItems 200
   */
  templates?: NamedItem[];
  /**
   * Workflow definitions (workflow.schema.json).
   *
   * @maxItems 200
   */
  workflows?: NamedItem[];
  /**
   * @maxItems 200
   */
  duplicateRules?: DuplicateRuleUse[];
  /**
   * Plugins of plugins/ the pack installs, grants and enables.
   *
   * @maxItems 20
   */
  plugins?: PluginUse[];
  /**
   * @maxItems 200
   */
  forms?: FormUse[];
  /**
   * @maxItems 200
   */
  views?: ViewUse[];
  /**
   * Dashboards (dashboard.schema.json).
   *
   * @maxItems 50
   */
  dashboards?: NamedItem[];
  sample?: SampleSpec;
}
export interface NamedItem {
  name: ApiName;
  [k: string]: unknown;
}
/**
 * A duplicate rule (duplicate-rule.schema.json, with its name) of an entity.
 */
export interface DuplicateRuleUse {
  entity: ApiName;
  rule: NamedItem;
}
export interface PluginUse {
  id: string;
  /**
   * Capabilities to grant (those it asks for, when left out).
   *
   * @maxItems 50
   */
  grants?: string[];
  settings?: {
    [k: string]: unknown;
  };
  enable?: boolean;
}
/**
 * A form (form.schema.json, with its name) of an entity.
 */
export interface FormUse {
  entity: ApiName;
  form: NamedItem;
}
export interface ViewUse {
  entity: ApiName;
  /**
   * A shared list view (view.schema.json); its label names it within the entity.
   */
  view: {
    label: string;
    [k: string]: unknown;
  };
}
/**
 * How the pack's sample data is made: the entities in the order they are written (parents first), each with a weight (its share of the records asked for) and a generator per field. The same seed gives the same records.
 */
export interface SampleSpec {
  /**
   * @minItems 1
   * @maxItems 50
   */
  entities: SampleEntity[];
}
export interface SampleEntity {
  entity: ApiName;
  weight: number;
  /**
   * At most this many records, whatever the total (lookup lists such as leave types).
   */
  max?: number;
  /**
   * Field name → generator, run in this order (a later field may read an earlier one).
   */
  fields: {
    [k: string]: SampleGenerator;
  };
}
export interface SampleGenerator {
  /**
   * firstName, lastName, company, jobTitle: realistic names; email: from `from` (fields of this record, e.g. [firstName, lastName]) at a domain made of `domainFrom` (a field or relation.field holding a company name) or a reserved example domain; phone: valid for `country` (GB or US); address: a postal address in `country`; pick: one of `values` (by `weights`); each: `values` in turn, one a record; int, number: between `min` and `max`; money: an amount between `min` and `max` in `currency`; date, datetime: `min` to `max` days from today (or from the date in `from`); bool: true with probability `p`; ref: a record of `entity` written earlier; copy: the value at `from` (a field, or relation.field), times `scale` when given; text: `template` with {field} and {relation.field} replaced; words: `min` to `max` words.
   */
  gen:
    | 'firstName'
    | 'lastName'
    | 'company'
    | 'jobTitle'
    | 'email'
    | 'phone'
    | 'address'
    | 'pick'
    | 'each'
    | 'int'
    | 'number'
    | 'money'
    | 'date'
    | 'datetime'
    | 'bool'
    | 'ref'
    | 'copy'
    | 'text'
    | 'words';
  /**
   * @minItems 1
   */
  values?: unknown[];
  weights?: number[];
  min?: number;
  max?: number;
  p?: number;
  country?: 'GB' | 'US';
  currency?: string;
  entity?: ApiName;
  from?: string | string[];
  domainFrom?: string;
  scale?: number;
  template?: string;
  /**
   * The share of records left without a value.
   */
  blank?: number;
  when?: SampleCondition;
}
/**
 * The field is filled only when this holds: a field of the record (or relation.field) is one of `in`, or is set.
 */
export interface SampleCondition {
  field: string;
  /**
   * @minItems 1
   */
  in?: unknown[];
  isSet?: boolean;
}
