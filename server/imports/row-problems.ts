/**
 * A row's problems as a person fixing the file needs them (issue 5): at the column that holds the
 * field, and all of them. The pipeline stops at its first failing stage (a row with a bad date
 * never reaches the check of its email), so the values not yet reported are validated again
 * without the ones that were: pure checks, and only for rows that already failed.
 */
import { Problem } from '../shared/errors.ts';
import { redactFieldErrors } from '../records/access.ts';
import { applyDefaults, checkRequired } from '../records/computed-values.ts';
import { checkInput } from '../records/validate-input.ts';
import type { ImportRun } from './import-batch.ts';
import type { RowProblem } from './import-job.ts';

const PASSES = 3;

/** The column that holds `field` (or its `part`), or null when no column does. */
function columnOf(run: ImportRun, field: string, part?: string): string | null {
  const columns = run.mapping.columns.filter((c) => c.field === field);
  return (columns.find((c) => c.part === part) ?? columns.find((c) => c.part === undefined) ?? columns[0])?.column ?? null;
}

/** The pipeline's problem as the row's problems; problems on fields the actor cannot see are not shown. */
export function problemsOf(run: ImportRun, row: number, err: unknown): RowProblem[] {
  if (!(err instanceof Problem)) throw err;
  const errors = redactFieldErrors(err.errors, run.entity, run.perms);
  if (!errors?.length) return [{ row, column: null, reason: err.detail ?? err.title }];
  return errors.map((e) => {
    const [field = '', part] = e.pointer.split('/').slice(1);
    return { row, column: columnOf(run, field, part), reason: `${[field, part].filter(Boolean).join('.') || 'the record'} ${e.detail}` };
  });
}

/** The input checks of the pipeline (and, for a new record, its required fields) on `body`. */
function validate(run: ImportRun, row: number, body: Record<string, unknown>, isNew: boolean, skip: Set<string>): RowProblem[] {
  try {
    const { set } = checkInput(run.entity, body, '', run.perms.fields);
    if (!isNew) return [];
    const doc = { ...set };
    applyDefaults(run.entity, doc);
    const missing = checkRequired(run.entity, doc).filter((e) => !skip.has(e.pointer.split('/')[1] ?? ''));
    return missing.length ? problemsOf(run, row, new Problem({ type: 'required', status: 422, title: 'required' }, { errors: missing })) : [];
  } catch (err) {
    return problemsOf(run, row, err);
  }
}

/** Problems of `body` not among `reported`: what the stage that failed hid. */
export function hiddenProblems(run: ImportRun, row: number, body: Record<string, unknown>, reported: RowProblem[], isNew: boolean): RowProblem[] {
  const found: RowProblem[] = [];
  const columns = new Set(reported.map((p) => p.column));
  for (let pass = 0; pass < PASSES; pass++) {
    const skip = new Set(run.mapping.columns.filter((c) => columns.has(c.column)).map((c) => c.field));
    const rest = Object.fromEntries(Object.entries(body).filter(([field]) => !skip.has(field)));
    const seen = (p: RowProblem) => [...reported, ...found].some((r) => r.reason === p.reason);
    const more = validate(run, row, rest, isNew, skip).filter((p) => (p.column === null ? !seen(p) : !columns.has(p.column)));
    if (!more.length) break;
    found.push(...more);
    for (const p of more) columns.add(p.column);
  }
  return found;
}
