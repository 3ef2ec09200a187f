/**
 * The plugin lifecycle for administrators: install (or upgrade) from plugins/<id>/, review and
 * grant capabilities, configure settings, enable, disable, uninstall, and read each plugin's log.
 * An upgrade keeps the grants still asked for and the settings; a new capability needs a new grant.
 */
import { createAjv } from '../metadata/index.ts';
import type { FieldError } from '../shared/errors.ts';
import { pluginProblems } from './plugins.problems.ts';
import { checkBundle, listPluginFolders, readPluginFolder, type PluginSource } from './plugin-source.ts';
import type { PluginDoc, PluginStore } from './plugin-store.ts';
import type { PluginRuntime } from './plugin-runtime.ts';

export type PluginsService = ReturnType<typeof createPluginsService>;

export const pluginView = ({ code, ...doc }: PluginDoc) => ({
  id: doc._id, name: doc.manifest.name, version: doc.manifest.version, description: doc.manifest.description ?? null,
  status: doc.status, requested: doc.manifest.capabilities ?? [], grants: doc.grants, settings: doc.settings,
  hooks: doc.manifest.hooks ?? [], actions: doc.manifest.actions ?? [], endpoints: doc.manifest.endpoints ?? [], failures: doc.failures, disabledReason: doc.disabledReason ?? null,
  codeBytes: Buffer.byteLength(code), installedAt: doc.installedAt, updatedAt: doc.updatedAt,
  // The settings' JSON Schema, from which the studio builds the settings form (issue 8).
  settingsSchema: doc.manifest.settings ?? null,
});

const ajv = createAjv({ useDefaults: true });

export function createPluginsService(deps: { store: PluginStore; runtime: PluginRuntime; pluginsDir: string }) {
  const { store, runtime } = deps;

  async function find(id: string): Promise<PluginDoc> {
    const doc = await store.get(id);
    if (!doc) throw pluginProblems.pluginNotFound.create({ detail: `There is no plugin ${id}` });
    return doc;
  }

  async function change(id: string, $set: Partial<PluginDoc>, actorId: string) {
    const doc = await store.set(id, { ...$set, updatedAt: new Date(), updatedBy: actorId });
    if (!doc) throw pluginProblems.pluginNotFound.create({ detail: `There is no plugin ${id}` });
    await runtime.sync();
    return pluginView(doc);
  }

  function settingsProblems(doc: PluginDoc, settings: unknown): FieldError[] {
    if (!settings || typeof settings !== 'object' || Array.isArray(settings)) return [{ pointer: '/settings', detail: 'must be an object' }];
    if (!doc.manifest.settings) return Object.keys(settings).length ? [{ pointer: '/settings', detail: 'this plugin has no settings' }] : [];
    const validate = ajv.compile(doc.manifest.settings);
    return validate(settings) ? [] : (validate.errors ?? []).map((e) => ({ pointer: `/settings${e.instancePath}`, detail: e.message ?? 'is invalid' }));
  }

  const fail = (errors: FieldError[]) => {
    if (errors.length) throw pluginProblems.invalidPlugin.create({ detail: `${errors[0]!.pointer} ${errors[0]!.detail}`, errors });
  };

  async function installSource({ manifest, code }: PluginSource, actorId: string) {
    const previous = await store.get(manifest.id);
    const now = new Date();
    const asked = new Set(manifest.capabilities ?? []);
    const doc: PluginDoc = {
      _id: manifest.id, manifest, code, status: previous?.status ?? 'installed', grants: (previous?.grants ?? []).filter((g) => asked.has(g)),
      settings: previous?.settings ?? {}, installedAt: previous?.installedAt ?? now, updatedAt: now, updatedBy: actorId, failures: 0,
    };
    await store.put(doc);
    await runtime.sync();
    return { ...pluginView(doc), upgradedFrom: previous?.manifest.version ?? null };
  }

  return {
    list: async () => (await store.list()).map(pluginView),
    /** The plugin folders an administrator can install from, with the version installed now (if any). */
    async available() {
      const installed = new Map((await store.list()).map((d) => [d._id, d.manifest.version]));
      return (await listPluginFolders(deps.pluginsDir)).map((m) => ({
        id: m.id, name: m.name, version: m.version, description: m.description ?? null, capabilities: m.capabilities ?? [], installedVersion: installed.get(m.id) ?? null,
      }));
    },
    get: async (id: string) => pluginView(await find(id)),
    logs: async (id: string, limit: number) => (await find(id), store.logs(id, limit)),
    /** Installs plugins/<id>/, or upgrades it in place (same data, grants kept where still asked for). */
    install: async (id: string, actorId: string) => installSource(await readPluginFolder(deps.pluginsDir, id), actorId),
    /** The same from an uploaded bundle: {manifest, code}. */
    installBundle: async (bundle: unknown, actorId: string) => installSource(checkBundle(bundle), actorId),
    async grant(id: string, body: unknown, actorId: string) {
      const doc = await find(id);
      const grants = (body as { grants?: unknown } | null)?.grants;
      if (!Array.isArray(grants) || grants.some((g) => typeof g !== 'string')) fail([{ pointer: '/grants', detail: 'must be a list of capabilities' }]);
      const asked = new Set(doc.manifest.capabilities ?? []);
      fail((grants as string[]).flatMap((g, i) => (asked.has(g) ? [] : [{ pointer: `/grants/${i}`, detail: `is not a capability ${id} asks for` }])));
      return change(id, { grants: [...new Set(grants as string[])] }, actorId);
    },
    async configure(id: string, body: unknown, actorId: string) {
      const doc = await find(id);
      const settings = (body as { settings?: unknown } | null)?.settings ?? {};
      fail(settingsProblems(doc, settings));
      return change(id, { settings: settings as Record<string, unknown> }, actorId);
    },
    async enable(id: string, actorId: string) {
      const doc = await find(id);
      fail(settingsProblems(doc, doc.settings));
      return change(id, { status: 'enabled', failures: 0, disabledReason: undefined }, actorId);
    },
    disable: async (id: string, actorId: string) => change(id, { status: 'disabled' }, actorId),
    async uninstall(id: string): Promise<void> {
      await find(id);
      await store.remove(id);
      await runtime.sync();
    },
  };
}
