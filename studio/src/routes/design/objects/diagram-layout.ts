/**
 * Lays out the relations diagram without a graph library: entities on a circle (a grid past a
 * dozen), links as straight lines or gentle curves when two entities share several links.
 */
import type { Entity } from '../../../lib/api/types.ts';

export const BOX = { w: 150, h: 44 };
export type Box = { name: string; label: string; x: number; y: number };
export type Link = { id: string; from: string; to: string; label: string; many: boolean; path: string; lx: number; ly: number };
export type Diagram = { boxes: Box[]; links: Link[]; width: number; height: number };

function place(entities: Entity[]): { boxes: Box[]; width: number; height: number } {
  const n = entities.length;
  if (n > 12) {
    const cols = Math.ceil(Math.sqrt(n));
    const boxes = entities.map((e, i) => ({ name: e.name, label: e.label, x: 110 + (i % cols) * 230, y: 60 + Math.floor(i / cols) * 150 }));
    return { boxes, width: 220 + (cols - 1) * 230, height: 120 + Math.ceil(n / cols - 1) * 150 };
  }
  const r = n <= 1 ? 0 : Math.max(130, (n * (BOX.w + 40)) / (2 * Math.PI));
  const circle = entities.map((e, i) => {
    const a = -Math.PI / 2 + (2 * Math.PI * i) / Math.max(n, 1);
    return { name: e.name, label: e.label, x: r * Math.cos(a), y: r * Math.sin(a) };
  });
  // Trimmed to the boxes (plus room for self-loops and labels): a triangle leaves no empty band below.
  const pad = { x: BOX.w / 2 + 50, y: BOX.h / 2 + 30 };
  const minX = Math.min(...circle.map((b) => b.x)) - pad.x;
  const minY = Math.min(...circle.map((b) => b.y)) - pad.y;
  const boxes = circle.map((b) => ({ ...b, x: b.x - minX, y: b.y - minY }));
  return { boxes, width: Math.max(...boxes.map((b) => b.x)) + pad.x, height: Math.max(...boxes.map((b) => b.y)) + pad.y };
}

/** Where the segment from the box centre towards (tx, ty) leaves the box. */
function edge(b: Box, tx: number, ty: number): [number, number] {
  const dx = tx - b.x;
  const dy = ty - b.y;
  if (!dx && !dy) return [b.x, b.y];
  const t = Math.min(dx ? BOX.w / 2 / Math.abs(dx) : Infinity, dy ? BOX.h / 2 / Math.abs(dy) : Infinity);
  return [b.x + dx * Math.min(t, 1), b.y + dy * Math.min(t, 1)];
}

function selfLoop(b: Box, k: number): Pick<Link, 'path' | 'lx' | 'ly'> {
  const x = b.x + BOX.w / 2;
  const s = 30 + 18 * k;
  return { path: `M ${x} ${b.y - 8} C ${x + s} ${b.y - s}, ${x + s} ${b.y + s}, ${x} ${b.y + 8}`, lx: x + s * 0.8, ly: b.y };
}

export function layout(entities: Entity[]): Diagram {
  const { boxes, width, height } = place(entities);
  const at = new Map(boxes.map((b) => [b.name, b]));
  const seen = new Map<string, number>();
  const links: Link[] = [];
  for (const e of entities) {
    for (const f of e.fields) {
      if ((f.type !== 'relation' && f.type !== 'manyToMany') || !at.has(f.target)) continue;
      const a = at.get(e.name)!;
      const b = at.get(f.target)!;
      const pair = [e.name, f.target].sort().join('|');
      const k = seen.get(pair) ?? 0;
      seen.set(pair, k + 1);
      const base = { id: `${e.name}.${f.name}`, from: e.name, to: f.target, label: f.label ?? f.name, many: f.type === 'manyToMany' };
      if (a === b) {
        links.push({ ...base, ...selfLoop(a, k) });
        continue;
      }
      // Several links between the same two entities bend apart: 0, +1, -1, +2, …
      const bend = (k % 2 ? 1 : -1) * Math.ceil(k / 2) * 40;
      const mx = (a.x + b.x) / 2;
      const my = (a.y + b.y) / 2;
      const len = Math.hypot(b.x - a.x, b.y - a.y) || 1;
      const qx = mx - ((b.y - a.y) / len) * bend;
      const qy = my + ((b.x - a.x) / len) * bend;
      const [sx, sy] = edge(a, qx, qy);
      const [tx, ty] = edge(b, qx, qy);
      links.push({ ...base, path: `M ${sx} ${sy} Q ${qx} ${qy} ${tx} ${ty}`, lx: (sx + 2 * qx + tx) / 4, ly: (sy + 2 * qy + ty) / 4 });
    }
  }
  return { boxes, links, width: Math.max(width, 200), height: Math.max(height, 100) };
}
