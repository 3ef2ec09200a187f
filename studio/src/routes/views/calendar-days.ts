/** The days of a month grid (weeks start on Monday), and the local day a record falls on. */
export type Day = { key: string; date: Date; inMonth: boolean };

const pad = (n: number) => String(n).padStart(2, '0');
export const dayKey = (d: Date): string => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

export function monthGrid(year: number, month: number): Day[][] {
  const first = new Date(year, month, 1);
  const start = new Date(year, month, 1 - ((first.getDay() + 6) % 7));
  const weeks: Day[][] = [];
  for (let d = new Date(start); weeks.length < 6; ) {
    const week: Day[] = [];
    for (let i = 0; i < 7; i++, d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + 1)) week.push({ key: dayKey(d), date: d, inMonth: d.getMonth() === month });
    weeks.push(week);
    if (d.getMonth() !== month) break;
  }
  return weeks;
}

/** The filter bounds of a grid for a date field (days) or a datetime field (instants, local time). */
export function bounds(weeks: Day[][], datetime: boolean): [string, string] {
  const first = weeks[0]![0]!.date;
  const last = weeks.at(-1)!.at(-1)!.date;
  if (!datetime) return [dayKey(first), dayKey(last)];
  return [first.toISOString(), new Date(last.getFullYear(), last.getMonth(), last.getDate(), 23, 59, 59, 999).toISOString()];
}

/** The local day of a stored value: a date is its own day, a datetime the day it is here. */
export const dayOf = (value: unknown, datetime: boolean): string | null =>
  typeof value !== 'string' ? null : datetime ? dayKey(new Date(value)) : value.slice(0, 10);
