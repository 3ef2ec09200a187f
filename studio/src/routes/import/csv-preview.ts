/**
 * What the wizard needs to know of a CSV before sending it (issue 8): its delimiter, its header,
 * a few rows to show beside the mapping, and how many data rows it has (for the progress bar).
 * The server parses the file for real; this only previews it.
 */
export type Preview = { delimiter: string; header: string[]; sample: string[][]; rows: number };

const DELIMITERS = [',', ';', '\t', '|'];

function firstLine(text: string): string {
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if ((c === '\n' || c === '\r') && !quoted) return text.slice(0, i);
  }
  return text;
}

/** RFC 4180 rows: quoted cells may hold delimiters, quotes ("") and line breaks. */
function* rowsOf(text: string, delimiter: string): Generator<string[]> {
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') quoted = !quoted;
    else if (quoted) cell += c;
    else if (c === delimiter) {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      yield row;
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) yield [...row, cell];
}

export function preview(text: string): Preview {
  const body = text.replace(/^\uFEFF/, '');
  const head = firstLine(body);
  const delimiter = DELIMITERS.map((d) => [d, head.split(d).length] as const).sort((a, b) => b[1] - a[1])[0]![0];
  const header: string[] = [];
  const sample: string[][] = [];
  let rows = 0;
  for (const row of rowsOf(body, delimiter)) {
    if (!header.length) header.push(...row.map((h) => h.trim()));
    else if (row.some((c) => c.trim() !== '')) {
      rows++;
      if (sample.length < 3) sample.push(row);
    }
  }
  return { delimiter, header, sample, rows };
}
