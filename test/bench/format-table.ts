/** Plain-text table, numbers right-aligned, for benchmark output that reads well in a terminal or CI log. */
export function formatTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((title, c) => Math.max(title.length, ...rows.map((row) => (row[c] ?? '').length)));
  const isNumeric = (text: string): boolean => /^[-+]?[\d.,]+\s*(x|ms|%)?$/.test(text.trim());
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) => (isNumeric(cell) ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(columns), rule, ...rows.map(line)].join('\n');
}

export function formatOps(opsPerSec: number): string {
  return Number.isFinite(opsPerSec) ? Math.round(opsPerSec).toLocaleString('en-US') : 'n/a';
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 10 ? `${ms.toFixed(2)} ms` : `${ms.toFixed(1)} ms`;
}

/** "2.35x": how many times the measured figure is the baseline's. */
export function formatRatio(value: number, baseline: number): string {
  const ratio = value / baseline;
  return Number.isFinite(ratio) ? `${ratio.toFixed(2)}x` : 'n/a';
}
