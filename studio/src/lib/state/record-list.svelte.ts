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
      const [page, count] = await Promise.all([recordsApi.list(this.entity, { ...this.params(), limit: 50 }), recordsApi.count(this.entity, { q: query.q, filter: query.filter })]);
      if (generation !== this.generation) return;
      this.rows = page.data;
      this.cursor = page.nextCursor;
      this.total = count.count;
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
