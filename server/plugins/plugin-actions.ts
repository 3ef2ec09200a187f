/**
 * Plugin actions: buttons on a record. The user must be able to read the record; the input is
 * checked against the action's schema; the handler gets {entity, record, input, user} and may
 * answer {message, set}; `set` is saved through the write pipeline as that user, so their
 * permissions and every validation apply.
 */
import type { ValidateFunction } from 'ajv';
import { createAjv } from '../metadata/index.ts';
import type { Actor } from '../shared/actor.ts';
import type { RecordsService } from '../records/index.ts';
import { pluginProblems } from './plugins.problems.ts';
import type { PluginRuntime } from './plugin-runtime.ts';
import type { PluginAction } from './manifest.types.ts';

const ajv = createAjv({ useDefaults: true });
const compiled = new WeakMap<object, ValidateFunction>();

export type ActionRequest = { entity: string; recordId: string; pluginId: string; action: string; input: unknown; actor: Actor };

function checkInput(action: PluginAction, input: unknown): unknown {
  const value = input ?? {};
  if (!action.input) return value;
  let validate = compiled.get(action.input);
  if (!validate) compiled.set(action.input, (validate = ajv.compile(action.input)));
  if (validate(value)) return value;
  const errors = (validate.errors ?? []).map((e) => ({
    pointer: `/input${e.instancePath}${e.keyword === 'required' ? `/${String(e.params.missingProperty)}` : ''}`,
    detail: e.keyword === 'required' ? 'is required' : e.message ?? 'is invalid',
  }));
  throw pluginProblems.invalidPlugin.create({ detail: `input${errors[0]!.pointer.slice('/input'.length)} ${errors[0]!.detail}`, errors });
}

export function createPluginActions(deps: { runtime: PluginRuntime; records: () => RecordsService }) {
  return {
    /** The actions of enabled plugins on `entity`, for a user who can read it. */
    list(entity: string, actor: Actor) {
      deps.records().access(entity, actor, 'read');
      return deps.runtime.actionsFor(entity).map(({ plugin, action }) => ({ plugin: plugin._id, name: action.name, label: action.label, input: action.input ?? null }));
    },
    async run(req: ActionRequest) {
      const found = deps.runtime.actionsFor(req.entity).find((a) => a.plugin._id === req.pluginId && a.action.name === req.action);
      if (!found) throw pluginProblems.pluginNotFound.create({ detail: `No enabled plugin ${req.pluginId} has an action ${req.action} on ${req.entity}` });
      const record = await deps.records().get(req.entity, req.recordId, req.actor);
      const input = checkInput(found.action, req.input);
      const answer = await deps.runtime.invoke(found.plugin, found.action.handler, { entity: req.entity, record, input, user: { id: req.actor.id } }, req.actor);
      const { message, set } = (answer ?? {}) as { message?: unknown; set?: unknown };
      if (set !== undefined && (!set || typeof set !== 'object' || Array.isArray(set))) throw pluginProblems.pluginFailed.create({ detail: `Plugin ${req.pluginId} answered a set that is not an object` });
      const saved = set ? await deps.records().update(req.entity, { actor: req.actor, channel: 'plugin', id: req.recordId, body: set, hookDepth: 1 }) : record;
      return { message: typeof message === 'string' ? message.slice(0, 1_000) : null, record: saved };
    },
  };
}
