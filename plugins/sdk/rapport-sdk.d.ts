/**
 * Types of the plugin API (issue 6). Plugin code runs in an isolated-vm isolate: these globals
 * (`rapport`, `console`, `module`) are all it can reach. Reference them from a plugin's index.js
 * with `/// <reference path="../sdk/rapport-sdk.d.ts" />` for editor help.
 */

/** A record as the API returns it: `_id`, `_version`, its fields, and the audit fields. */
export type ApiRecord = { _id: string; _version: number; [field: string]: unknown };

/** A filter of the records query language, e.g. {"field": "status", "op": "eq", "value": "open"}. */
export type Filter = { field: string; op: string; value?: unknown } | { and: Filter[] } | { or: Filter[] } | { not: Filter };

export type FindQuery = { filter?: Filter; sort?: string; limit?: number; fields?: string };

export type RapportSdk = {
  records: {
    /** Needs records:read:<entity> (or write); 404 problem if the acting user cannot see the record. */
    get(entity: string, id: string): Promise<ApiRecord>;
    /** Up to 200 records the acting user can see. */
    find(entity: string, query?: FindQuery): Promise<ApiRecord[]>;
    count(entity: string, query?: { filter?: Filter }): Promise<number>;
    /**
     * Needs records:write:<entity>; runs the whole write pipeline (and other plugins' hooks). Not in
     * before-save or before-delete hooks, validators or computed values: those only read (a
     * `plugin-read-only` error), so that a save they refuse leaves nothing behind. Write from an
     * after-save hook, an action or an endpoint.
     */
    create(entity: string, values: Record<string, unknown>): Promise<ApiRecord>;
    update(entity: string, id: string, values: Record<string, unknown>): Promise<ApiRecord>;
  };
  http: {
    /**
     * Needs http:fetch:<host> (or *.<domain>). Never reaches loopback, private or link-local
     * addresses, redirects included; at most 3 redirects, 1 MB each way, 5 s, 10 fetches a call.
     * Before a save or delete only GET and HEAD without a body (anything else: `plugin-read-only`).
     */
    fetch(url: string, init?: { method?: string; headers?: Record<string, string>; body?: string }): Promise<{ status: number; headers: Record<string, string>; body: string; url: string }>;
  };
  email: {
    /**
     * Needs email:send. Queues a mail from one of the deployment's templates in the outbox (sent over
     * SMTP with retries, or kept in the mail catcher); the recipient's consent and unsubscribe apply.
     * `record` (one the acting user can read) is the template's merge record; the same `dedupeKey`
     * queues one mail however often it is sent. Counts as a write for the quotas, and like one is
     * refused before a save (`plugin-read-only`): send from an after-save hook.
     */
    send(message: { to: string; template: string; data?: Record<string, unknown>; record?: { entity: string; id: string }; dedupeKey?: string; locale?: string }): Promise<{ id: string; created: boolean }>;
  };
  /** The settings an admin gave this plugin (validated against the manifest's settings schema). */
  settings(): Promise<Record<string, unknown>>;
};

/** What a beforeSave hook receives. `values` are the client's input (API form); `record` is the record before an update. The SDK only reads here. */
export type BeforeSaveEvent = { operation: 'create' | 'update'; entity: string; values: Record<string, unknown>; record: ApiRecord | null; user: { id: string } };
export type BeforeDeleteEvent = { operation: 'delete'; entity: string; record: ApiRecord; user: { id: string } };
/** After a save: `changes` (field, before, after) when the entity is audited. May be delivered more than once (`eventId` tells). */
export type AfterSaveEvent = { operation: 'create' | 'update'; entity: string; recordId: string; changes: Array<{ field: string; before: unknown; after: unknown }> | null; eventId: string; user: { id: string } };

/** A field validator gets the value written; it answers null (fine) or a message (refused at that field). */
export type ValidatorEvent = { entity: string; field: string; value: unknown; values: Record<string, unknown>; record: ApiRecord | null; user: { id: string } };
/** A computed value's handler answers the field's new value. */
export type ComputedEvent = { entity: string; field: string; operation: 'create' | 'update'; values: Record<string, unknown>; record: ApiRecord | null; user: { id: string } };

/** A hook's answer: nothing (go on), values to change, or field errors (refuse: 422 with a pointer per field). */
export type HookResult = void | undefined | null | { set: Record<string, unknown> } | { errors: Array<{ field: string; detail: string }> };

declare global {
  const rapport: RapportSdk;
}
