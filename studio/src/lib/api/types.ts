/** The shapes the studio reads from the API. Entity and field definitions come from the schema's generated types. */
import type { Condition, EntityDefinition, Field } from '../../../../server/metadata/entity.types.ts';

export type { Condition, Field };

export type FieldAccess = 'hidden' | 'read' | 'edit';
export type Entity = EntityDefinition & {
  version: number;
  metadataVersion?: number;
  permissions?: { read: boolean; create: boolean; update: boolean; delete: boolean; export?: boolean; fields: Record<string, FieldAccess> };
};

export type User = { id: string; email: string; name: string; active: boolean; roles: string[]; team: string | null };
export type Session = { user: User; admin: boolean; csrfToken?: string };

export type ApiRecord = { _id: string; _version: number; _createdAt?: string; _updatedAt?: string; [field: string]: unknown };
export type ListPage = { data: ApiRecord[]; nextCursor: string | null };

export type FormItem =
  | { kind: 'field'; field: string; helpText?: string; visibleWhen?: Condition }
  | { kind: 'related'; entity: string; via: string; label?: string; columns: string[] }
  | { kind: 'text'; text: string };
export type FormSection = { label?: string; columns: 1 | 2 | 3; items: FormItem[] };
export type Form = { name: string; label: string; entity: string; roles?: string[]; order?: number; tabs: { label: string; sections: FormSection[] }[] };

export type ViewKind = 'table' | 'kanban' | 'calendar';
export type View = {
  _id?: string; entity: string; label: string; kind: ViewKind; columns: string[]; filter?: unknown; sort?: string;
  groupBy?: string; kanbanField?: string; dateField?: string; shared: boolean; owner?: string;
};

export type SearchHit = { entity: string; entityLabel: string; id: string; title: string; matched: string };
