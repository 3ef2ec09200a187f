/**
 * Forms (issue 8), in `ui_forms`, one document per entity and name, read on every request so a
 * change is live at once on every instance. Administrators write them; a user reads the forms
 * made for their roles (or for everyone), and the effective one: the first form for one of their
 * roles (by order, then name), else the one named default, else one generated from the entity.
 * What a user receives never names a field they may not read, nor an archived one.
 */
import type { Db } from 'mongodb';
import formSchema from '../../schemas/form.schema.json' with { type: 'json' };
import { metadataProblems, type CompiledEntity, type MetadataRegistry } from '../metadata/index.ts';
import { readAccess } from '../records/index.ts';
import type { FormDefinition } from './form.types.ts';
import { generatedForm, visibleForm, type Form } from './form-visibility.ts';
import { checkShape, invalidWith, schemaValidator } from './schema-check.ts';
import { uiProblems } from './ui.problems.ts';
import { formProblems } from './validate-form.ts';
import { holdsOneOf, offeredTo, type Viewer } from './viewer.ts';

export const FORMS = 'ui_forms';
export type FormDoc = Form & { _id: string; updatedAt: Date; updatedBy: string };
export type FormsStore = ReturnType<typeof createFormsStore>;

const NAME = /^[a-z][a-zA-Z0-9]{0,39}$/;
const MAX_FORMS = 50;
const validator = schemaValidator(formSchema);
const invalid = (pointer: string, detail: string) => invalidWith(uiProblems.invalidForm, [{ pointer, detail }]);

const toForm = ({ name, label, entity, roles, order, tabs }: FormDoc): Form => ({ name, label, entity, ...(roles ? { roles } : {}), ...(order !== undefined ? { order } : {}), tabs });
const byOrder = (a: FormDoc, b: FormDoc) => (a.order ?? 0) - (b.order ?? 0) || a.name.localeCompare(b.name);

export function createFormsStore(deps: { db: Db; registry: MetadataRegistry }) {
  const forms = deps.db.collection<FormDoc>(FORMS);
  const readable = (name: string, viewer: Viewer): CompiledEntity => readAccess(deps.registry.require(name), viewer.actor).entity;
  const load = async (entity: string) => (await forms.find({ entity }).toArray()).sort(byOrder);
  const shown = (entity: CompiledEntity, viewer: Viewer, form: Form) => visibleForm({ entity, registry: deps.registry, actor: viewer.actor }, form);

  function check(entity: CompiledEntity, name: string, body: unknown): FormDefinition {
    if (!NAME.test(name)) throw invalid('/name', 'must start with a lower-case letter and have at most 40 letters and digits');
    const shape = checkShape<FormDefinition>(validator, body);
    if (!shape.ok) throw invalidWith(uiProblems.invalidForm, shape.errors);
    const form = shape.value;
    const errors = [...(form.name !== undefined && form.name !== name ? [{ pointer: '/name', detail: `must be ${name}, the name in the URL` }] : []), ...formProblems(entity, deps.registry, form)];
    if (errors.length) throw invalidWith(uiProblems.invalidForm, errors);
    return form;
  }

  async function find(entity: string, name: string): Promise<FormDoc> {
    const doc = NAME.test(name) ? await forms.findOne({ _id: `${entity}/${name}` }) : null;
    if (!doc) throw uiProblems.formNotFound.create({ detail: `${entity} has no form "${name}"` });
    return doc;
  }

  return {
    init: () => forms.createIndex({ entity: 1 }),
    async list(entityName: string, viewer: Viewer): Promise<Form[]> {
      const entity = readable(entityName, viewer);
      return (await load(entity.name)).filter((f) => offeredTo(f.roles, viewer)).map((f) => shown(entity, viewer, toForm(f)));
    },
    async get(entityName: string, name: string, viewer: Viewer): Promise<Form> {
      const entity = readable(entityName, viewer);
      const doc = await find(entity.name, name);
      if (!offeredTo(doc.roles, viewer)) throw uiProblems.formNotFound.create({ detail: `${entity.name} has no form "${name}"` });
      return shown(entity, viewer, toForm(doc));
    },
    async effective(entityName: string, viewer: Viewer): Promise<Form> {
      const entity = readable(entityName, viewer);
      const all = await load(entity.name);
      const chosen = all.find((f) => holdsOneOf(f.roles, viewer)) ?? all.find((f) => f.name === 'default');
      return shown(entity, viewer, chosen ? toForm(chosen) : generatedForm(entity, viewer.actor));
    },
    async put(entityName: string, name: string, body: unknown, actorId: string): Promise<{ created: boolean; form: Form }> {
      const entity = deps.registry.get(entityName);
      if (!entity) throw metadataProblems.entityNotFound.create({ detail: `There is no entity "${entityName}"` });
      const form = check(entity, name, body);
      const _id = `${entity.name}/${name}`;
      const exists = (await forms.countDocuments({ _id }, { limit: 1 })) > 0;
      if (!exists && (await forms.countDocuments({ entity: entity.name })) >= MAX_FORMS) throw uiProblems.tooMany.create({ detail: `${entity.name} already has ${MAX_FORMS} forms` });
      const doc: FormDoc = { _id, ...form, name, entity: entity.name, updatedAt: new Date(), updatedBy: actorId };
      await forms.replaceOne({ _id }, doc, { upsert: true });
      return { created: !exists, form: toForm(doc) };
    },
    async remove(entityName: string, name: string): Promise<void> {
      const { deletedCount } = await forms.deleteOne({ _id: (await find(entityName, name))._id });
      if (!deletedCount) throw uiProblems.formNotFound.create({ detail: `${entityName} has no form "${name}"` });
    },
  };
}
