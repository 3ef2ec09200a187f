/* Generated from schemas/role.schema.json by schemas/tools/generate-types.ts; do not edit. */

/**
 * A role: what its holders may do with each entity, which fields they see and which records. A user may hold several roles; their permissions add up (issue 4).
 */
export interface RoleDefinition {
  /**
   * Immutable key.
   */
  name: string;
  label: string;
  description?: string;
  /**
   * Full access to all data, and to metadata, users, roles, plugins, templates and workflows.
   */
  admin?: boolean;
  /**
   * Per entity api name. An entity a user's roles do not name is invisible to them.
   */
  entities?: {
    [k: string]: EntityPermission;
  };
}
export interface EntityPermission {
  create?: boolean;
  read?: boolean;
  update?: boolean;
  delete?: boolean;
  export?: boolean;
  /**
   * Which records holders may read and change, besides sharing rules: none, their own (ownerId), their team's (owned by a member of their team) or all.
   */
  scope?: 'none' | 'own' | 'team' | 'all';
  /**
   * Field name to access level; fields not named are editable (subject to update permission).
   */
  fields?: {
    [k: string]: 'hidden' | 'read' | 'edit';
  };
  /**
   * @maxItems 20
   */
  sharing?: SharingRule[];
}
export interface SharingRule {
  label?: string;
  /**
   * A records query-language filter. A value {"$user": "id" | "email" | "team" | "attributes.<name>"} stands for the signed-in user's value; a rule whose user value is missing matches nothing.
   */
  filter: {
    [k: string]: unknown;
  };
  access?: 'read' | 'edit';
}
