/**
 * Export of a list (its filter, search, sort and columns) as CSV or JSON, streamed from a cursor
 * in pages so memory does not grow with the data. The actor's export permission, record scope and
 * field permissions apply as in any read. CSV cells that a spreadsheet would run as a formula
 * (=, +, -, @, tab, carriage return first) are prefixed with ' (OWASP's CSV injection advice).
 */
import type { Response } from 'express';
import { stringify } from 'csv-stringify';
import type { Document } from 'mongodb';
import { recordProblems } from './records.problems.ts';
import { readFilter, type ListQuery } from './records-query.ts';
import { toApiRecords } from './read-enrich.ts';
import type { ReadContext } from './parents.ts';
import type { Access } from './records.service.ts';
import { parseFields, parseSort } from './query/index.ts';
import { visibleDefinition, visibleNames, visibleOnly } from './access.ts';

export type ExportFormat = 'csv' | 'json';
const PAGE = 500;
const FORMULA_START = /^[=+\-@\t\r]/;

export function exportFormat(value: unknown): ExportFormat {
  if (value === undefined || value === 'csv' || value === 'json') return (value ?? 'csv') as ExportFormat;
  throw recordProblems.invalidQuery.create({ detail: 'format is csv or json', errors: [{ pointer: '/format', detail: 'must be csv or json' }] });
}

/** A cell as text a spreadsheet shows and never evaluates. */
export function csvCell(value: unknown): string {
  const text = cellText(value);
  return FORMULA_START.test(text) ? `'${text}` : text;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if (Array.isArray(value)) return value.map(cellText).join('; ');
  const v = value as Record<string, unknown>;
  if (typeof v.display === 'string') return v.display;
  if (typeof v.amount === 'string' && typeof v.currency === 'string') return `${v.amount} ${v.currency}`;
  if (typeof v.name === 'string' && typeof v.id === 'string') return v.name;
  if (typeof v._id === 'string' && Object.keys(v).length <= 2) return v._id;
  return JSON.stringify(value);
}

export async function exportRecords(ctx: ReadContext, a: Access, query: ListQuery & { format: ExportFormat }, res: Response): Promise<void> {
  const visible = visibleDefinition(a.entity, a.perms);
  const sort = parseSort(visible, query.sort);
  const requested = parseFields(visible, query.fields);
  const columns = requested ?? ['_id', ...visible.fields.map((f) => f.name), 'createdAt', 'createdBy', 'updatedAt', 'updatedBy', 'ownerId'];
  const shape = { only: visibleOnly(requested ? new Set(requested) : null, visibleNames(a.entity, a.perms)), expand: [], actor: a.actor };
  const cursor = ctx.db.collection(a.entity.collection).find(readFilter(a, query), { projection: { _search: 0, _outbox: 0 } }).sort(sort).batchSize(PAGE);
  const name = `${a.entity.name}-${new Date().toISOString().slice(0, 10)}.${query.format}`;
  res.attachment(name).type(query.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8');
  const csv = query.format === 'csv' ? stringify({ header: true, columns, cast: { boolean: (b) => String(b) } }) : null;
  if (csv) csv.pipe(res);
  else res.write('[');
  let first = true;
  try {
    for (let page = await nextPage(cursor); page.length; page = await nextPage(cursor)) {
      for (const record of await toApiRecords(ctx, a.entity, page, shape)) {
        if (csv) {
          if (!csv.write(columns.map((c) => csvCell(record[c])))) await new Promise((resolve) => csv.once('drain', resolve));
        } else {
          if (!res.write((first ? '' : ',') + JSON.stringify(record))) await new Promise((resolve) => res.once('drain', resolve));
          first = false;
        }
      }
    }
  } finally {
    await cursor.close();
  }
  if (csv) csv.end();
  else res.end(']');
}

async function nextPage(cursor: { hasNext(): Promise<boolean>; next(): Promise<Document | null> }): Promise<Document[]> {
  const docs: Document[] = [];
  while (docs.length < PAGE && (await cursor.hasNext())) docs.push((await cursor.next())!);
  return docs;
}
