/**
 * Which fields a title template reads (issue 7), found in its source, so that a reader who cannot
 * see one of them is not shown the title (server/records/title-access.ts). Read from the parsed
 * template, never by running it:
 *
 * - `record.city` uses `city`; `record.programme.name` uses `programme.name`;
 * - a value used whole (`record.programme` as a helper's argument or a block's context, `{{record}}`)
 *   uses all of it: `programme` (every field of the programme), or `*` (every field of every record);
 * - `{{#if record.salary}}` uses `salary`: whether a value is there shows in the title too;
 * - a partial may read anything: `*`.
 *
 * Paths inside `#each` and `#with` refer to that block's value, which already counts as used
 * whole; `@root` and any `../` path count as the root's (`..` alone as everything), and data
 * variables other than @index, @key, @first, @last, @locale, @timeZone, @now and @unsubscribeUrl
 * as everything. Inside any other block paths count as the record's.
 */
import Handlebars from 'handlebars';
import { HELPER_NAMES } from './sandbox/guest-runtime.ts';

type Node = { type: string; [key: string]: unknown };
type Path = Node & { parts: string[]; depth: number; data: boolean; original: string };

const HELPERS = new Set<string>([...HELPER_NAMES, 'if', 'unless', 'each', 'with', 'lookup', 'log']);
/**
 * Blocks whose body reads another value than the one around them. Every other block may keep the
 * context (`{{#record.vip}}` renders its body with the record when vip is true), so its body's
 * paths count as reads of the record.
 */
const NEW_CONTEXT = new Set(['each', 'with']);

/** The fields `source` reads from `record`: 'field', 'relation.field', or '*' for everything. */
export function titleUses(source: string): string[] {
  const uses = new Set<string>();
  // Each entry: does this context still see the template's root ({ record })?
  walk(Handlebars.parse(source) as unknown as Node, [true], uses);
  return uses.has('*') ? ['*'] : [...uses].sort();
}

function walk(node: Node | undefined | null, contexts: boolean[], uses: Set<string>): void {
  if (!node || typeof node !== 'object') return;
  switch (node.type) {
    case 'Program':
      for (const child of node.body as Node[]) walk(child, contexts, uses);
      return;
    case 'PartialStatement':
    case 'PartialBlockStatement':
      uses.add('*');
      return;
    case 'MustacheStatement':
    case 'SubExpression':
    case 'BlockStatement':
    case 'DecoratorBlock':
    case 'Decorator': {
      const path = node.path as Node;
      // A helper's name is not data; any other path here is ({{record.name}}, {{#record.tags}}).
      if (path.type !== 'PathExpression' || !HELPERS.has((path as Path).original)) value(path, contexts, uses);
      for (const param of [...((node.params as Node[]) ?? []), ...hashValues(node)]) value(param, contexts, uses);
      const name = path.type === 'PathExpression' ? (path as Path).original : '';
      const inner = node.type === 'BlockStatement' && NEW_CONTEXT.has(name) ? [...contexts, false] : contexts;
      walk(node.program as Node, inner, uses);
      walk(node.inverse as Node, contexts, uses);
      return;
    }
    default:
      return;
  }
}

/** Data variables that hold no record data. */
const DATA_NAMES = new Set(['index', 'key', 'first', 'last', 'locale', 'timeZone', 'now', 'unsubscribeUrl']);

const hashValues = (node: Node): Node[] => ((node.hash as { pairs?: Array<{ value: Node }> } | undefined)?.pairs ?? []).map((p) => p.value);

/** A value read whole: a path (how much of the record it reaches) or a sub-expression. */
function value(node: Node, contexts: boolean[], uses: Set<string>): void {
  if (node.type === 'SubExpression') return walk(node, contexts, uses);
  if (node.type !== 'PathExpression') return;
  const path = node as Path;
  let parts = path.parts;
  if (path.data) {
    if (DATA_NAMES.has(parts[0]!) && parts.length === 1) return; // @index, @key, @first, @locale: not record data
    if (parts[0] !== 'root') return void uses.add('*'); // @_parent.root and the like may reach anything
    parts = parts.slice(1);
  } else if (path.depth === 0 && contexts[contexts.length - 1] === false) {
    return; // inside #each/#with: its value counts as used whole already
  }
  // `../` may lead back to the root: #with of the value it is in adds no level, so count it as the root.
  if (parts.length === 0) return void uses.add('*'); // {{this}}: the whole root
  if (parts[0] !== 'record') return; // the root holds only `record`
  if (parts.length === 1) uses.add('*');
  else uses.add(parts.slice(1, 3).join('.'));
}
