/**
 * The fields a CSV column can fill (issue 8), and the first guess of which one each column fills:
 * by name or label, case, spaces and punctuation ignored ("First name" fills name.first).
 */
import type { Entity, Field } from '../../lib/api/types.ts';
import { isEditable, labelOf } from '../../lib/components/fields/format.ts';

export type Target = { spec: string; label: string; keys: string[] };

const PARTS: Record<string, string[]> = { fullName: ['salutation', 'first', 'middle', 'last', 'suffix'], address: ['street', 'street2', 'city', 'region', 'postalCode', 'country'] };
const NOT_FROM_CSV = new Set(['file', 'manyToMany']);
const norm = (s: string) => s.toLowerCase().replace(/[^a-z0-9]/g, '');
const words = (s: string) => s.replace(/([a-z])([A-Z0-9])/g, '$1 $2').toLowerCase();

export function targetsOf(entity: Entity): Target[] {
  const access = (f: Field) => entity.permissions?.fields?.[f.name];
  const fields = entity.fields.filter((f) => isEditable(f, access(f)) && access(f) !== 'hidden' && !NOT_FROM_CSV.has(f.type));
  return fields.flatMap((f) => {
    const label = labelOf(f);
    const whole: Target = { spec: f.name, label, keys: [norm(f.name), norm(label)] };
    const parts = (PARTS[f.type] ?? []).map((p) => ({
      spec: `${f.name}.${p}`, label: `${label}: ${words(p)}`,
      keys: [norm(p), norm(`${p} ${f.name}`), norm(`${f.name} ${p}`), norm(`${label} ${p}`), norm(`${p} ${label}`), norm(`${p} name`)],
    }));
    return [whole, ...parts];
  });
}

/** Each column's field, the first unused target whose name or label it spells; '' to skip the column. */
export function autoMap(header: string[], targets: Target[]): string[] {
  const used = new Set<string>();
  return header.map((column) => {
    const key = norm(column);
    const hit = targets.find((t) => !used.has(t.spec) && t.keys.includes(key));
    if (!hit) return '';
    used.add(hit.spec);
    return hit.spec;
  });
}
