import type { Entity, Field } from '../../api/types.ts';

/** What every field input receives; `value` is bound, in the API's shape for the field's type. */
export type InputProps = { field: Field; value: unknown; id: string; invalid: boolean; describedBy?: string; target?: Entity };
