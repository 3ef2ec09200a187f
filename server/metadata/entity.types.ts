/* Generated from schemas/entity.schema.json by schemas/tools/generate-types.ts; do not edit. */

export type Label = string;
export type FieldName = string;
export type Field =
  | TextField
  | LongTextField
  | RichTextField
  | EmailField
  | PhoneField
  | UrlField
  | IntegerField
  | NumberField
  | CurrencyField
  | PercentField
  | BooleanField
  | DateField
  | DatetimeField
  | SelectField
  | MultiSelectField
  | RatingField
  | JsonField
  | AddressField
  | FullNameField
  | UserField
  | AutonumberField
  | RelationField
  | ManyToManyField
  | FormulaField
  | RollupField
  | FileField;
export type TextField = Common &
  Length & {
    type: 'text';
    /**
     * A regular expression the value must match; refused if it can backtrack catastrophically.
     */
    pattern?: string;
  };
export type LongTextField = Common &
  Length & {
    type: 'longText';
  };
export type RichTextField = Common &
  Length & {
    type: 'richText';
  };
export type EmailField = Common & {
  type: 'email';
};
export type PhoneField = Common & {
  type: 'phone';
  /**
   * ISO 3166 country used for numbers written without +country code.
   */
  defaultCountry?: string;
};
export type UrlField = Common & {
  type: 'url';
};
export type IntegerField = Common &
  NumericRange & {
    type: 'integer';
  };
export type NumberField = Common &
  NumericRange & {
    type: 'number';
    /**
     * Decimal places allowed.
     */
    precision?: number;
  };
export type CurrencyField = Common & {
  type: 'currency';
  /**
   * ISO 4217 code used when a value gives none.
   */
  currency?: string;
  min?: string;
  max?: string;
};
export type PercentField = Common &
  NumericRange & {
    type: 'percent';
    precision?: number;
  };
export type BooleanField = Common & {
  type: 'boolean';
};
export type DateField = Common & {
  type: 'date';
  min?: string;
  max?: string;
};
export type DatetimeField = Common & {
  type: 'datetime';
  min?: string;
  max?: string;
};
export type SelectField = Common & {
  type: 'select';
  options: Options;
};
/**
 * @minItems 1
 * @maxItems 500
 */
export type Options = Option[];
export type MultiSelectField = Common & {
  type: 'multiSelect';
  options: Options;
  maxItems?: number;
};
export type RatingField = Common & {
  type: 'rating';
  max?: number;
};
export type JsonField = Common & {
  type: 'json';
};
export type AddressField = Common & {
  type: 'address';
};
export type FullNameField = Common & {
  type: 'fullName';
};
export type UserField = Common & {
  type: 'user';
};
export type AutonumberField = Common & {
  type: 'autonumber';
  /**
   * Text around a zero-padded counter, e.g. CASE-{00000}.
   */
  pattern: string;
};
export type RelationField = Common & {
  type: 'relation';
  target: ApiName;
  onDelete?: 'restrict' | 'setNull' | 'cascade';
  /**
   * How the target names this list in its related view, e.g. Deals.
   */
  relatedLabel?: string;
};
export type ApiName = string;
export type ManyToManyField = Common & {
  type: 'manyToMany';
  target: ApiName;
  /**
   * @maxItems 10
   */
  attributes?: LinkAttribute[];
  maxItems?: number;
  relatedLabel?: Label;
};
export type FormulaField = Common & {
  type: 'formula';
  expression: string;
  resultType: 'text' | 'number' | 'boolean' | 'date' | 'datetime';
};
export type RollupField = Common & {
  type: 'rollup';
  /**
   * The child entity whose records are summarised.
   */
  entity: string;
  /**
   * The child's relation field that points at this entity.
   */
  relationField: string;
  function: 'count' | 'sum' | 'min' | 'max' | 'avg';
  /**
   * The child field summarised (not needed for count).
   */
  field?: string;
  /**
   * A records filter (the query language) applied to the child records.
   */
  filter?: {
    [k: string]: unknown;
  };
};
export type FileField = Common & {
  type: 'file';
  maxSize?: number;
  /**
   * @maxItems 50
   */
  accept?: string[];
};

/**
 * A custom object: its api name, labels, fields, indexes and behaviour. Stored in MongoDB, versioned; the server builds the records API from it at runtime.
 */
export interface EntityDefinition {
  /**
   * Immutable api name, used in URLs (/api/entities/{name}/records).
   */
  name: string;
  label: Label;
  pluralLabel: Label;
  description?: string;
  icon?: string;
  /**
   * The field shown as the record's title; may be an autonumber field (record naming such as CASE-{00000}).
   */
  titleField?: string;
  /**
   * @maxItems 10
   */
  searchFields?: FieldName[];
  /**
   * Record who changed which field, when.
   */
  audit?: boolean;
  /**
   * @maxItems 500
   */
  fields: Field[];
  /**
   * @maxItems 32
   */
  indexes?: Index[];
}
export interface Common {
  name: FieldName;
  type: string;
  label?: Label;
  description?: string;
  helpText?: string;
  required?: boolean;
  requiredWhen?: Condition;
  unique?: boolean;
  readOnly?: boolean;
  /**
   * Value used on create when the field is absent; validated like any input.
   */
  default?: {
    [k: string]: unknown;
  };
}
/**
 * A simple condition on another field of the same record, e.g. status eq closed.
 */
export interface Condition {
  field: FieldName;
  op: 'eq' | 'ne' | 'in' | 'isSet' | 'isNotSet';
  value?: unknown;
}
export interface Length {
  minLength?: number;
  maxLength?: number;
}
export interface NumericRange {
  min?: number;
  max?: number;
}
export interface Option {
  value: string;
  label: Label;
  color?: string;
  order?: number;
  /**
   * Not offered for new values; records that hold it stay readable.
   */
  retired?: boolean;
}
export interface LinkAttribute {
  name: FieldName;
  label?: Label;
  type: 'text' | 'integer' | 'number' | 'boolean' | 'date';
  required?: boolean;
}
export interface Index {
  name?: string;
  /**
   * @minItems 1
   * @maxItems 4
   */
  fields: {
    field: string;
    direction?: 'asc' | 'desc';
  }[];
  unique?: boolean;
}
