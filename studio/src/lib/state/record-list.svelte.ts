/** The rows of a list screen: pages fetched by cursor as the user scrolls, for a search, filter and sort. */
import { recordsApi } from '../api/endpoints.ts';
import type { ApiRecord } from '../api/types.ts';

const PAGE = 200;

export class RecordList {
  rows = $state<ApiRecord[]>([]);
  total = $state<number | undefined>(undefined);
  loading = $state(false);
  error = $state<string | null>(null);
  private cursor: string | null = null;
  private generation = 0;

  constructor(private readonly entity: string, private readonly expand: string[] = []) {}

  async load(query: { q?: string; sort?: string; filter?: string }): Promise<void> {
    const generation = ++this.generation;
    this.query = query;
    this.loading = true;
    this.error = null;
    try {
      // The first screenful first: a small page paints at once, then pages of 200 follow on scroll.
      // The count is asked after: counting 10k records must not hold back (or compete with) the first rows.
      this.total = undefined;
      const page = await recordsApi.list(this.entity, { ...this.params(), limit: 50 });
      if (generation !== this.generation) return;
      this.rows = page.data;
      this.cursor = page.nextCursor;
      void recordsApi.count(this.entity, { q: query.q, filter: query.filter }).then((c) => generation === this.generation && (this.total = c.count), () => undefined);
    } catch (err) {
      if (generation === this.generation) this.error = (err as Error).message;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  async more(): Promise<void> {
    if (this.loading || !this.cursor) return;
    const generation = this.generation;
    this.loading = true;
    try {
      const page = await recordsApi.list(this.entity, { ...this.params(), limit: PAGE, cursor: this.cursor });
      if (generation !== this.generation) return;
      this.rows = [...this.rows, ...page.data];
      this.cursor = page.nextCursor;
    } finally {
      if (generation === this.generation) this.loading = false;
    }
  }

  private query: { q?: string; sort?: string; filter?: string } = {};
  private params() {
    return { q: this.query.q, sort: this.query.sort, filter: this.query.filter, expand: this.expand.join(',') || undefined };
  }
}
