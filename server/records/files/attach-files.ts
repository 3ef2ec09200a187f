/**
 * A file field's value, as a client sends it, is the id an upload returned; the pipeline swaps it
 * for the stored file's summary, after checking the upload was made for this entity and field and
 * belongs to no other live record (an id seen once must not open another record's file).
 */
import { ObjectId, type Document } from 'mongodb';
import type { FieldError } from '../../shared/errors.ts';
import type { CompiledEntity } from '../../metadata/index.ts';
import type { ReadContext } from '../parents.ts';
import type { FileMetadata } from './file-store.ts';

type GridFile = { _id: ObjectId; length: number; filename: string; metadata?: FileMetadata & { attachedTo?: ObjectId } };

export async function attachFiles(ctx: ReadContext, entity: CompiledEntity, doc: Document, set: Document): Promise<FieldError[]> {
  const errors: FieldError[] = [];
  for (const field of entity.files) {
    if (typeof set[field.name] !== 'string') continue;
    const id = new ObjectId(set[field.name] as string);
    const files = ctx.db.collection<GridFile>('files.files');
    const file = await files.findOne({ _id: id });
    const owner = file?.metadata?.attachedTo;
    const usable = file && file.metadata?.entity === entity.name && file.metadata.field === field.name &&
      (!owner || owner.equals(doc._id) || !(await ctx.db.collection(entity.collection).countDocuments({ _id: owner }, { limit: 1 })));
    if (!usable) {
      errors.push({ pointer: `/${field.name}`, detail: 'must be the id of a file uploaded for this field' });
      continue;
    }
    await files.updateOne({ _id: id }, { $set: { 'metadata.attachedTo': doc._id } });
    doc[field.name] = { fileId: id, name: file.filename, size: file.length, contentType: file.metadata!.contentType };
  }
  return errors;
}
