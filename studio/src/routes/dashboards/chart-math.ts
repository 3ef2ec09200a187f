/** Small helpers for the dashboard charts (issue 8): numbers from the API, a nice axis top, pie slices. */
import type { ChartRow } from '../../lib/api/dashboards.ts';

export const PALETTE = ['#0a5bd3', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#1098ad', '#e67700', '#5c940d', '#495057'];

/** Sums of currency fields arrive as decimal strings; a chart draws numbers. */
export const numberOf = (v: ChartRow['value']): number => (v === null ? 0 : Number(v) || 0);
export const formatNumber = (v: ChartRow['value']): string => (v === null ? '—' : new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 }).format(numberOf(v)));

/** 1, 2 or 5 times a power of ten, at or above `max`: the top of an axis. */
export function niceMax(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return ([1, 2, 5, 10].find((m) => m * p >= max) ?? 10) * p;
}

/** The SVG path of a pie slice from `a0` to `a1` (fractions of a turn) in a circle of radius r at (r, r). */
export function slice(a0: number, a1: number, r: number): string {
  if (a1 - a0 >= 0.9999) return `M ${r} 0 A ${r} ${r} 0 1 1 ${r - 0.01} 0 Z`;
  const at = (a: number) => `${r + r * Math.sin(2 * Math.PI * a)} ${r - r * Math.cos(2 * Math.PI * a)}`;
  return `M ${r} ${r} L ${at(a0)} A ${r} ${r} 0 ${a1 - a0 > 0.5 ? 1 : 0} 1 ${at(a1)} Z`;
}
