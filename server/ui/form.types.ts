/* Generated from schemas/form.schema.json by schemas/tools/generate-types.ts; do not edit. */

export type Label = string;
export type RoleName = string;
export type FormItem = FormFieldItem | FormRelatedItem | FormTextItem;
export type FieldName = string;

/**
 * A record page layout of one entity (issue 8): tabs of sections of fields, related lists and text. Several forms per entity are chosen by role. Conditional required is not here: it is the entity field's requiredWhen, which the server enforces.
 */
export interface FormDefinition {
  /**
   * Immutable key; optional in the body, and then taken from the URL. The form named default is used when no form matches the user's roles.
   */
  name?: string;
  label: Label;
  /**
   * The entity the form shows; optional in the body, and then taken from the URL.
   */
  entity?: string;
  /**
   * The roles the form is for; without roles it is offered to everyone but chosen only as the default.
   *
   * @maxItems 50
   */
  roles?: RoleName[];
  /**
   * Among the forms matching a user's roles, the lowest order is used (then the name).
   */
  order?: number;
  /**
   * @minItems 1
   * @maxItems 20
   */
  tabs: FormTab[];
}
export interface FormTab {
  label: Label;
  /**
   * @maxItems 20
   */
  sections: FormSection[];
}
export interface FormSection {
  label?: Label;
  columns: 1 | 2 | 3;
  /**
   * @maxItems 100
   */
  items: FormItem[];
}
export interface FormFieldItem {
  kind: 'field';
  field: FieldName;
  helpText?: string;
  visibleWhen?: Condition;
}
/**
 * Shown only when this condition on another field of the record holds.
 */
export interface Condition {
  field: string;
  op: 'eq' | 'ne' | 'in' | 'isSet' | 'isNotSet';
  value?: unknown;
}
/**
 * A related list: the records of entity whose relation field via points at this record.
 */
export interface FormRelatedItem {
  kind: 'related';
  entity: string;
  via: FieldName;
  label?: Label;
  /**
   * @minItems 1
   * @maxItems 12
   */
  columns: FieldName[];
}
export interface FormTextItem {
  kind: 'text';
  text: string;
}
