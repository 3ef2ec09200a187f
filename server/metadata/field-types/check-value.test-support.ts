/** Test helper: runs a value through a handler the way the record validator does (ajv schema, then toStored). */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { AnyFieldTypeHandler, Converted } from './field-type.ts';
import type { Field } from '../entity.types.ts';

// ajv-formats is CommonJS: under NodeNext the default import is the module object, whose
// `default` is the plugin (at runtime module.exports is the plugin itself, which also has `.default`).
const applyFormats = addFormats.default ?? addFormats;

const ajv = new Ajv2020({ allErrors: true, strict: false });
applyFormats(ajv);

export function checkValue(handler: AnyFieldTypeHandler, field: Field, value: unknown): Converted {
  const validate = ajv.compile(handler.inputSchema(field));
  if (!validate(value)) {
    return { ok: false, issues: (validate.errors ?? []).map((e) => ({ detail: e.message ?? 'is invalid', ...(e.instancePath ? { pointer: e.instancePath } : {}) })) };
  }
  return handler.toStored(value, field);
}

/** The value a successful conversion produced; throws with the issues otherwise, so a test failure says why. */
export function storedValue(result: Converted): unknown {
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.issues)}`);
  return result.value;
}

/** All details of a rejection, for `toContain`/`toMatch` assertions; [] when the value was accepted. */
export function details(result: Converted): string[] {
  return result.ok ? [] : result.issues.map((i) => (i.pointer ? `${i.pointer}: ${i.detail}` : i.detail));
}
