/* Generated from schemas/plugin-manifest.schema.json by schemas/tools/generate-types.ts; do not edit. */

/**
 * plugin.json: what a plugin is, what it asks to reach, and what it provides (issue 6). Its code runs in an isolated-vm isolate and sees only the `rapport` SDK.
 */
export interface PluginManifest {
  /**
   * Immutable key; also the folder name under plugins/.
   */
  id: string;
  version: string;
  name: string;
  description?: string;
  /**
   * The one JavaScript file, relative to the plugin folder; it assigns its handlers to module.exports.
   */
  entry: string;
  /**
   * A JSON Schema for the plugin's settings, which admins fill in.
   */
  settings?: {
    [k: string]: unknown;
  };
  /**
   * What the plugin asks to reach; an admin grants them at install. records:read:<entity>, records:write:<entity> (implies read), http:fetch:<host or *.domain>, email:send.
   *
   * @maxItems 50
   */
  capabilities?: string[];
  /**
   * @maxItems 50
   */
  hooks?: PluginHook[];
  /**
   * @maxItems 50
   */
  actions?: PluginAction[];
  /**
   * @maxItems 50
   */
  endpoints?: PluginEndpoint[];
  /**
   * Field validators: the handler gets {value, values, record, user} when the field is written and answers null (fine) or a message (refused with 422 at the field).
   *
   * @maxItems 50
   */
  validators?: PluginFieldHandler[];
  /**
   * Computed values: on every save the handler gets {values, record, user} and its answer becomes the field's value, validated like input.
   *
   * @maxItems 50
   */
  computed?: PluginFieldHandler[];
}
export interface PluginHook {
  /**
   * beforeSave may return {set: {...}} to change values or {errors: [{field, detail}]} to refuse; beforeDelete may return {errors} to refuse; afterSave runs once the change is saved (at least once: it may run again after a crash), as the user who made it.
   */
  event: 'beforeSave' | 'afterSave' | 'beforeDelete';
  entity: string;
  /**
   * The name of a function in module.exports.
   */
  handler: string;
}
/**
 * A button on a record: the handler gets {entity, record, input, user} and may return {message, set} (set is saved through the write pipeline as the user).
 */
export interface PluginAction {
  name: string;
  label: string;
  entity: string;
  handler: string;
  /**
   * A JSON Schema for the form the user fills in before the action runs.
   */
  input?: {
    [k: string]: unknown;
  };
}
/**
 * An HTTP endpoint at /api/plugins/<id>/call<path>, for any signed-in user; the handler gets {method, path, query, body, user} and runs with that user's permissions; it answers {status?, body?}.
 */
export interface PluginEndpoint {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  handler: string;
}
export interface PluginFieldHandler {
  entity: string;
  field: string;
  handler: string;
}
