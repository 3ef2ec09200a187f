/**
 * An import run (issue 5): the CSV streams through csv-parse and is handled a batch at a time
 * (at most BATCH_ROWS rows or BATCH_CHARS characters), so memory holds one batch, never the file.
 * Each batch is prepared by the pipeline (import-batch.ts) and, unless it is a dry run, written
 * (write-batch.ts); progress is saved as it goes. Row numbers are those a spreadsheet shows: the
 * header is row 1, a blank line is a (skipped) row. A file that stops being CSV part-way keeps
 * what came before and says from which row on nothing was read.
 */
import { finished, Transform, type Readable } from 'node:stream';
import { CsvError, parse, type Options } from 'csv-parse';
import { pointerToken, sharedProblems, type FieldError } from '../shared/errors.ts';
import type { ImportRun, Row } from './import-batch.ts';
import { createBatchFlow, type BatchFlow } from './batch-flow.ts';
import type { ImportJob, JobStore } from './import-job.ts';
import { MAX_COLUMNS } from './import-mappings.ts';

/**
 * Rows a batch holds at most. Each batch costs a few round trips to the database whatever its
 * size; at 1,000 rows a 100k-row import ran 1–10% faster than at 500 (three alternated pairs),
 * and holds a batch of a few MB.
 */
const BATCH_ROWS = 1000;
const BATCH_CHARS = 4_000_000;
/** The longest row (all its cells), in characters. */
export const MAX_ROW_CHARS = 1_000_000;
const KEPT_UNMAPPED = 100;

/** How a run ended when it did not read the file to its end. */
export type Stop = { kind: 'malformed' | 'columns' | 'tooLarge' | 'interrupted'; detail: string; errors?: FieldError[] };

export type RunInput = { run: Omit<ImportRun, 'positions'>; job: ImportJob; jobs: JobStore; dryRun: boolean; input: Readable; maxBytes: number };

class HeaderError extends Error {
  constructor(readonly stop: Stop) {
    super(stop.detail);
  }
}

/** Counts the bytes of the upload; past `max` the stream fails with 413. */
export function byteLimit(max: number): Transform {
  let bytes = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      if (bytes > max) done(sharedProblems.payloadTooLarge.create({ detail: `An import file is at most ${max} bytes` }));
      else done(null, chunk);
    },
  });
}

/** Where each mapped column is; the columns nobody mapped. */
function readHeader(run: RunInput['run'], header: string[]): { positions: number[]; unmapped: string[] } {
  if (header.length > MAX_COLUMNS) throw new HeaderError({ kind: 'malformed', detail: `The file has ${header.length} columns; an import reads at most ${MAX_COLUMNS}` });
  const names = header.map((h) => h.trim());
  const errors: FieldError[] = [];
  const positions = run.mapping.columns.map((c) => {
    const at = names.indexOf(c.column);
    if (at < 0) errors.push({ pointer: `/columns/${pointerToken(c.column)}`, detail: 'is not a column of the file' });
    else if (names.indexOf(c.column, at + 1) >= 0) errors.push({ pointer: `/columns/${pointerToken(c.column)}`, detail: 'is in the first row twice' });
    return at;
  });
  if (errors.length) throw new HeaderError({ kind: 'columns', detail: `${errors[0]!.pointer.slice('/columns/'.length)} ${errors[0]!.detail}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, errors });
  const mapped = new Set(run.mapping.columns.map((c) => c.column));
  return { positions, unmapped: names.filter((n) => n && !mapped.has(n)).slice(0, KEPT_UNMAPPED) };
}

/** Why reading stopped, for the report and the response; null when the error is not the file's or the client's. */
function stopOf(err: unknown, nextRow: number): Stop | null {
  if (err instanceof HeaderError) return err.stop;
  if (err instanceof CsvError) return { kind: 'malformed', detail: `Rows from ${nextRow} on were not imported: the file is not valid CSV there (${err.message})` };
  const e = err as { status?: number; code?: string };
  if (e?.status === 413) return { kind: 'tooLarge', detail: `Rows from ${nextRow} on were not imported: the file is larger than the import limit` };
  if (e?.code === 'ECONNRESET' || e?.code === 'ERR_STREAM_PREMATURE_CLOSE' || e?.code === 'ECONNABORTED') return { kind: 'interrupted', detail: `Rows from ${nextRow} on were not imported: the upload stopped before the end of the file` };
  return null;
}

const isBlank = (cells: string[]): boolean => cells.every((c) => c.trim() === '');

/** Reads the whole upload and imports it; the job says how it went, `stop` why it ended early. */
export async function runImport(input: RunInput): Promise<{ job: ImportJob; stop?: Stop }> {
  const { job, jobs, dryRun } = input;
  const options: Options & { autoDestroy: boolean } = {
    bom: true, delimiter: input.run.mapping.delimiter, relax_column_count: true, relax_quotes: true, max_record_size: MAX_ROW_CHARS,
    // Kept alive after an error until the records parsed before it are read (destroying drops them); destroyed below.
    autoDestroy: false,
  };
  const parser = parse(options);
  // Not stream.pipeline: that would destroy the request with the parser, and with it the response.
  const limiter = byteLimit(input.maxBytes);
  input.input.pipe(limiter).pipe(parser);
  limiter.on('error', (err) => parser.destroy(err));
  finished(input.input, (err) => err && parser.destroy(err));
  let run: ImportRun | undefined;
  let flow: BatchFlow | undefined;
  let rows: Row[] = [];
  let chars = 0;
  let rowNo = 0;
  let width = 0;

  const flush = async () => {
    if (!rows.length || !flow) return;
    const batch = rows;
    rows = [];
    chars = 0;
    await flow.add(batch);
  };

  try {
    for await (const record of parser as AsyncIterable<string[]>) {
      rowNo++;
      if (!run) {
        const header = readHeader(input.run, record);
        run = { ...input.run, positions: header.positions };
        flow = createBatchFlow({ run, job, jobs, dryRun });
        job.unmappedColumns = header.unmapped;
        width = record.length;
        continue;
      }
      // Cells past the header's width have no column: a batch does not keep them.
      if (record.length > width) record.length = width;
      if (isBlank(record)) {
        job.blankRows++;
        continue;
      }
      job.rowsRead++;
      rows.push({ row: rowNo, cells: record });
      chars += record.reduce((n, c) => n + c.length, 0);
      if (rows.length >= BATCH_ROWS || chars >= BATCH_CHARS) await flush();
    }
    await flush();
    await flow?.finish();
    job.status = 'done';
    return { job };
  } catch (err) {
    const stop = stopOf(err, rowNo + 1);
    job.status = 'failed';
    if (!stop) {
      job.error = 'the import stopped on an internal error; the counts show what was applied before it';
      throw err;
    }
    // What was read before the file went wrong is complete rows: they are imported like the rest.
    await flush();
    await flow?.finish();
    // The row where reading stopped is in the report, but not counted as a failed row: it may not be one.
    await jobs.note(job, { row: stop.kind === 'columns' || !run ? 1 : rowNo + 1, column: null, reason: stop.detail });
    job.error = stop.detail;
    return { job, stop };
  } finally {
    // Nothing of this import may still be writing when it answers.
    await flow?.finish().catch(() => undefined);
    input.input.unpipe(limiter);
    parser.destroy();
    job.finishedAt = new Date();
    await jobs.save(job).catch(() => undefined);
    await input.run.unique.forget().catch(() => undefined);
  }
}
