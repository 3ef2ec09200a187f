/**
 * A file field's value, as a client sends it, is the id an upload returned; the pipeline swaps it
 * for the stored file's summary, after checking the upload was made for this entity and field.
 */
import { ObjectId, type Document } from 'mongodb';
import type { FieldError } from '../../shared/errors.ts';
import type { CompiledEntity } from '../../metadata/index.ts';
import type { ReadContext } from '../parents.ts';
import type { FileMetadata } from './file-store.ts';

type GridFile = { _id: ObjectId; length: number; filename: string; metadata?: FileMetadata };

export async function attachFiles(ctx: ReadContext, entity: CompiledEntity, doc: Document, set: Document): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const field of entity.definition.fields) {
    if (field.type !== 'file' || typeof set[field.name] !== 'string') continue;
    const id = new ObjectId(set[field.name] as string);
    const file = await ctx.db.collection<GridFile>('files.files').findOne({ _id: id });
    if (!file || file.metadata?.entity !== entity.name || file.metadata.field !== field.name) {
      errors.push({ pointer: `/${field.name}`, detail: 'must be the id of a file uploaded for this field' });
      continue;
    }
    doc[field.name] = { fileId: id, name: file.filename, size: file.length, contentType: file.metadata.contentType };
  }
  return errors;
}
