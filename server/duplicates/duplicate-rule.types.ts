/* Generated from schemas/duplicate-rule.schema.json by schemas/tools/generate-types.ts; do not edit. */

/**
 * A duplicate rule of one entity (issue 5): records whose chosen fields all match, exactly or after normalisation, are likely duplicates. Checked when a record is created or one of the rule's fields changes, and listed by the duplicates scan. A record with a blank field of the rule is never matched by it.
 */
export interface DuplicateRule {
  /**
   * Immutable key; optional in the body, and then taken from the URL.
   */
  name?: string;
  label?: string;
  /**
   * All of them must match for two records to be duplicates.
   *
   * @minItems 1
   * @maxItems 5
   */
  fields: DuplicateRuleField[];
  /**
   * warn: the write is saved and the caller told about the matches; block: the write is refused with duplicate-record (409).
   */
  action?: 'warn' | 'block';
  /**
   * An inactive rule keeps its match keys up to date but checks nothing.
   */
  active?: boolean;
}
export interface DuplicateRuleField {
  /**
   * A field of the entity, or one part of a full name or an address (name.last, address.postalCode).
   */
  field: string;
  /**
   * exact: the stored value; normalised: text without accents, case, spaces and punctuation, phone digits, e-mail lower case, URL without scheme, www. and trailing slash.
   */
  match?: 'exact' | 'normalised';
}
