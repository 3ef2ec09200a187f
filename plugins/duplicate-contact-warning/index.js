/* global rapport */
// Runs inside an isolated-vm isolate: the only things it can reach are `rapport` (the SDK) and `console`.
module.exports = {
  async beforeSave({ operation, values, record }) {
    const { field = 'email' } = await rapport.settings();
    const value = values[field];
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    const wanted = value.trim().toLowerCase();
    if (operation === 'update' && record && String(record[field] ?? '').toLowerCase() === wanted) return undefined;
    const same = await rapport.records.find('contact', { filter: { field, op: 'eq', value: wanted }, limit: 2, fields: field });
    const other = same.find((c) => !record || c._id !== record._id);
    if (!other) return undefined;
    console.log(`refused a duplicate ${field} on contact ${record ? record._id : '(new)'}`);
    return { errors: [{ field, detail: `is already used by contact ${other._id}` }] };
  },
};
