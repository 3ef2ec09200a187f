/**
 * Attempts to get out of the plugin sandbox (issue 6): constructor chains to the host's Function,
 * what globalThis exposes, dynamic import, prototype pollution across the boundary, one plugin
 * reading another's globals or settings, writes outside the granted entities, and manifests that
 * try to ship a V8 snapshot or code cache. Hooks report what they found as `note` (a longText
 * field), so the test can assert it is not host data.
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { expectProblem } from '../support/crm-fixture.ts';
import { hookCode, note, OTHER, useLab } from '../support/plugin-fixture.ts';

const lab = useLab();

/** Saves the attack record through the plugin and returns what its hook put in `note`. */
async function found(id: string, body: string, o: { grants?: string[] } = {}): Promise<unknown> {
  await lab.hookPlugin(id, hookCode(`const found = await (async () => { ${body} })(); return { set: { note: JSON.stringify(found) } };`), o);
  const res = await lab.save();
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  note(String(res.body.note).slice(0, 400));
  return JSON.parse(res.body.note as string);
}

/** Calls `getFunction` (the source of a function, possibly async, returning a Function constructor) and asks that Function for process, require and friends. */
const probe = (getFunction: string) => `
  const out = {};
  try {
    const F = await (${getFunction})();
    out.sameFunction = F === Function;
    out.seen = F('return [typeof process, typeof require, typeof module, typeof globalThis.process, typeof Buffer, typeof setTimeout].join()')();
    try { out.process = F('return process.pid')(); } catch (e) { out.process = 'threw ' + e.name; }
    try { out.require = F('return require("fs").readFileSync("/etc/hostname", "utf8")')(); } catch (e) { out.require = 'threw ' + e.name; }
  } catch (e) {
    out.error = String(e);
  }
  return out;`;

const confined = { sameFunction: true, seen: 'undefined,undefined,object,undefined,undefined,undefined', process: 'threw ReferenceError', require: 'threw ReferenceError' };

describe('constructor chains', () => {
  it('this.constructor.constructor is the isolate\'s own Function: no process, no require', async () => {
    expect(await found('chain-this', probe('() => this.constructor.constructor'))).toEqual(confined);
  });

  it('rapport.records.get.constructor (an SDK function): the isolate\'s Function', async () => {
    expect(await found('chain-sdk', probe('() => rapport.records.get.constructor'))).toEqual(confined);
  });

  it('an error caught from an SDK call (made from the host\'s answer): its constructor chain stays in the isolate', async () => {
    expect(await found('chain-error', probe(`async () => { try { await rapport.records.get('other', 'x'); } catch (e) { return e.constructor.constructor; } }`))).toEqual(confined);
  });

  it('an error thrown by the engine: its constructor chain stays in the isolate', async () => {
    expect(await found('chain-engine-error', probe('() => { try { null.x; } catch (e) { return e.constructor.constructor; } }'))).toEqual(confined);
  });

  it('console.log.constructor (the log callback into the host): the isolate\'s Function', async () => {
    expect(await found('chain-console', probe('() => console.log.constructor'))).toEqual(confined);
  });

  it('the prototype of an SDK promise and of the settings object: plain isolate objects', async () => {
    const got = await found('chain-promise', `
      const p = rapport.settings();
      const settings = await p;
      return [p instanceof Promise, Object.getPrototypeOf(settings) === Object.prototype, p.constructor.constructor === Function, typeof p.constructor.constructor('return this')().process];`);
    expect(got).toEqual([true, true, true, 'undefined']);
  });
});

describe('globalThis', () => {
  it('exposes only standard JavaScript, the SDK, console and module: no Reference, Callback, ExternalCopy, require, process, $0, $1', async () => {
    const names = (await found('scan-globals', `
      const names = new Set();
      for (let o = globalThis; o; o = Object.getPrototypeOf(o)) for (const k of Reflect.ownKeys(o)) names.add(String(k));
      return [...names];`)) as string[];
    const standard = new Set<string>(runInNewContext(`(() => { const n = new Set(); for (let o = globalThis; o; o = Object.getPrototypeOf(o)) for (const k of Reflect.ownKeys(o)) n.add(String(k)); return [...n]; })()`));
    expect(names.filter((n) => !standard.has(n)).sort()).toEqual(['exports', 'module', 'rapport']);
    for (const forbidden of ['Reference', 'ExternalCopy', 'Callback', 'Isolate', 'Context', 'ivm', '_ivm', 'require', 'process', 'Buffer', 'global', '$0', '$1', 'hostCall', 'hostLog', 'import']) expect(names).not.toContain(forbidden);
  });

  it('nothing reachable from globalThis (own and inherited properties, getters unread) is a host object', async () => {
    const got = (await found('walk-globals', `
      const seen = new Set(), kinds = new Set(), suspicious = [];
      const queue = [[globalThis, 'globalThis']];
      while (queue.length && seen.size < 20000) {
        const [o, path] = queue.shift();
        if ((typeof o !== 'object' && typeof o !== 'function') || o === null || seen.has(o)) continue;
        seen.add(o);
        const tag = Object.prototype.toString.call(o);
        kinds.add(tag);
        if (/^\\[object (Reference|ExternalCopy|Callback|Isolate|Context|Script|Module|NativeModule)\\]$/.test(tag)) suspicious.push(path + ' ' + tag);
        const proto = Object.getPrototypeOf(o);
        if (proto) queue.push([proto, path + '.__proto__']);
        for (const k of Reflect.ownKeys(o)) {
          const d = Object.getOwnPropertyDescriptor(o, k);
          for (const v of [d.value, d.get, d.set]) if (v !== undefined) queue.push([v, path + '.' + String(k)]);
        }
      }
      return { objects: seen.size, suspicious, hostTags: [...kinds].filter((t) => /Reference|Callback|ExternalCopy|Isolate/.test(t)) };`))  as { objects: number; suspicious: string[]; hostTags: string[] };
    expect(got.objects).toBeGreaterThan(100);
    expect(got.suspicious).toEqual([]);
    expect(got.hostTags).toEqual([]);
  });

  it('dynamic import of fs, node:fs and a data: URL fails', async () => {
    const got = await found('dynamic-import', `
      const out = [];
      for (const spec of ['fs', 'node:fs', 'data:text/javascript,export default 1']) {
        try { await import(spec); out.push(spec + ': imported'); } catch (e) { out.push(spec + ': refused'); }
      }
      return out;`);
    expect(got).toEqual(['fs: refused', 'node:fs: refused', 'data:text/javascript,export default 1: refused']);
  });

  it('an uncaught dynamic import fails the hook: 502 plugin-failed, nothing saved', async () => {
    await lab.hookPlugin('import-uncaught', hookCode(`const fs = await import('fs'); return { set: { note: String(Object.keys(fs)) } };`));
    await lab.attack({ status: 502, withinMs: 2_000 });
  });
});

describe('prototype pollution', () => {
  it('a hook polluting its own prototypes and answering {set: {__proto__: ...}}: refused (422), the host is not polluted', async () => {
    await lab.hookPlugin('pollute-result', hookCode(`
      Object.prototype.polluted = 1; Array.prototype.polluted = 1;
      return { set: JSON.parse('{"__proto__": {"polluted": 1}, "constructor": {"prototype": {"polluted": 1}}}') };`));
    const before = await lab.count();
    const res = await lab.save();
    expect(res.status, JSON.stringify(res.body)).toBe(422);
    expect(await lab.count()).toBe(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(([] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    // The server behaves as before: a normal record has only its own fields.
    const ok = await lab.save({ name: 'normal' });
    expect(ok.status).toBe(201);
    expect(ok.body).not.toHaveProperty('polluted');
    expect(Object.keys(ok.body)).not.toContain('polluted');
  });

  it('polluted SDK arguments (records.create with __proto__, a filter with constructor.prototype): refused, the host is not polluted', async () => {
    const got = await found('pollute-args', `
      const out = [];
      try { await rapport.records.create('other', JSON.parse('{"name": "x", "__proto__": {"polluted": 1}}')); out.push('created'); } catch (e) { out.push('refused'); }
      try { await rapport.records.find('other', JSON.parse('{"filter": {"field": "__proto__", "op": "eq", "value": {"polluted": 1}}}')); out.push('found'); } catch (e) { out.push('refused'); }
      try { await rapport.records.find('other', JSON.parse('{"filter": {"field": "constructor.prototype.polluted", "op": "eq", "value": 1}}')); out.push('found'); } catch (e) { out.push('refused'); }
      return out;`, { grants: ['records:write:other'] });
    expect(got).toEqual(['refused', 'refused', 'refused']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await lab.s.call('GET', `/api/entities/${OTHER}/records`)).body.data.every((r: object) => !('polluted' in r))).toBe(true);
  });

  it('a record whose values carry __proto__: the hook sees a plain key, and nothing is polluted', async () => {
    await lab.hookPlugin('pollute-payload', hookCode(`return { set: { note: JSON.stringify([Object.keys(input.values), Object.getPrototypeOf(input.values) === Object.prototype, ({}).polluted === undefined]) } };`));
    const res = await lab.s.call('POST', '/api/entities/target/records', '{"name": "attack", "__proto__": {"polluted": 1}}');
    note(`${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    expect([201, 422]).toContain(res.status);
    if (res.status === 201) expect(JSON.parse(res.body.note)).toEqual([['name', '__proto__'], true, true]);
    expect(res.body).not.toHaveProperty('polluted');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('plugins are separate', () => {
  it('another plugin\'s globals, prototype changes and secret settings are out of reach', async () => {
    await lab.writePlugin('secret-keeper', { settings: { type: 'object', properties: { secret: { type: 'string' } } }, hooks: [{ event: 'beforeSave', entity: OTHER, handler: 'run' }] },
      `globalThis.shared = 'keeper global'; Object.prototype.keeperLeak = 'keeper proto';
       module.exports = { run: async () => {
         globalThis.lastSettings = await rapport.settings();
         return globalThis.lastSettings.secret === 'hunter2' ? undefined : { errors: [{ field: 'name', detail: 'the keeper cannot see its own secret' }] };
       } };`);
    await lab.installAndEnable('secret-keeper', [], { secret: 'hunter2' });
    expect((await lab.save({ name: 'make the keeper run' }, OTHER)).status).toBe(201);
    const got = await found('snooper', `
      const settings = await rapport.settings();
      return [typeof globalThis.shared, typeof globalThis.lastSettings, typeof ({}).keeperLeak, JSON.stringify(settings)];`);
    expect(got).toEqual(['undefined', 'undefined', 'undefined', '{}']);
    expect(JSON.stringify((await lab.s.call('GET', '/api/plugins/snooper')).body)).not.toContain('hunter2');
  });
});

describe('grants', () => {
  it('records.create on an entity not granted: 502 naming the missing capability, nothing written there', async () => {
    await lab.hookPlugin('write-ungranted', hookCode(`await rapport.records.create('other', { name: 'sneaked in' });`), { grants: ['records:write:target'] });
    const others = await lab.count(OTHER);
    const { problem } = await lab.attack({ status: 502, detail: /records:write:other/, withinMs: 2_000 });
    expect(problem.detail).not.toContain('sneaked in');
    expect(await lab.count(OTHER)).toBe(others);
  });

  it('records.create with only a read grant: refused, nothing written', async () => {
    await lab.hookPlugin('write-readonly', hookCode(`await rapport.records.create('other', { name: 'sneaked in' });`), { capabilities: ['records:read:other'], grants: ['records:read:other'] });
    const others = await lab.count(OTHER);
    await lab.attack({ status: 502, detail: /records:write:other/, withinMs: 2_000 });
    expect(await lab.count(OTHER)).toBe(others);
  });

  it('an SDK method that does not exist: a TypeError in the isolate (502), nothing written', async () => {
    await lab.hookPlugin('sdk-unknown', hookCode(`await rapport.records.delete('other', 'x');`), { grants: ['records:write:other'] });
    await lab.attack({ status: 502, withinMs: 2_000 });
  });
});

describe('manifests that ship compiled code', () => {
  for (const field of ['snapshot', 'cachedData', 'codeCache']) {
    it(`a manifest with "${field}": refused at install with 422 naming it, nothing installed`, async () => {
      const id = `ships-${field.toLowerCase()}`;
      await lab.writePlugin(id, { [field]: 'snapshot.bin' }, hookCode('return undefined;'), { 'snapshot.bin': Buffer.from([0xc0, 0xde, 0, 1, 2, 3]) });
      expectProblem(await lab.s.call('POST', '/api/plugins', { id }), 422, [`/${field}`]);
      expect((await lab.s.call('GET', `/api/plugins/${id}`)).status).toBe(404);
    });
  }

  it('.bin and .cache files in the plugin folder are ignored: only the entry file runs', async () => {
    await lab.writePlugin('with-blobs', { hooks: [{ event: 'beforeSave', entity: 'target', handler: 'run' }] }, hookCode(`return { set: { note: 'from index.js' } };`),
      { 'snapshot.bin': Buffer.alloc(4096, 0xab), 'index.js.cache': Buffer.alloc(4096, 0xcd), 'v8.cache': 'module.exports = { run: () => ({ set: { note: "from the cache" } }) };' });
    await lab.installAndEnable('with-blobs');
    const res = await lab.save();
    expect(res.status).toBe(201);
    expect(res.body.note).toBe('from index.js');
  });

  it('an uploaded bundle: "cachedData" in its manifest is refused (422); beside the manifest it is ignored and only the code runs', async () => {
    const manifest = { id: 'bundled-cache', version: '1.0.0', name: 'bundled', entry: 'index.js', hooks: [{ event: 'beforeSave', entity: 'target', handler: 'run' }] };
    const code = hookCode(`return { set: { note: 'from the code' } };`);
    const cachedData = Buffer.alloc(2048, 0xee).toString('base64');
    expectProblem(await lab.s.call('POST', '/api/plugins', { bundle: { manifest: { ...manifest, cachedData }, code } }), 422, ['/cachedData']);
    expect((await lab.s.call('GET', '/api/plugins/bundled-cache')).status).toBe(404);
    expect((await lab.s.call('POST', '/api/plugins', { bundle: { manifest, code, cachedData, snapshot: cachedData } })).status).toBe(201);
    expect(JSON.stringify((await lab.s.call('GET', '/api/plugins/bundled-cache')).body)).not.toContain(cachedData.slice(0, 40));
    await lab.enable('bundled-cache');
    const res = await lab.save();
    expect(res.status).toBe(201);
    expect(res.body.note).toBe('from the code');
  });
});
