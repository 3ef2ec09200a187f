/* global rapport */
// lead: email, phone, company, lastContactedOn (date), score (integer, read-only to users)
// activity: lead (relation to lead)
const DAY = 86400000;

module.exports = {
  async score({ values, record }) {
    const lead = { ...(record ?? {}), ...values };
    const { pointsPerActivity = 10 } = await rapport.settings();
    const activities = record ? await rapport.records.count('activity', { filter: { field: 'lead', op: 'eq', value: record._id } }) : 0;
    let score = Math.min(60, activities * pointsPerActivity);
    for (const field of ['email', 'phone', 'company']) if (lead[field]) score += 10;
    const last = lead.lastContactedOn ? Date.parse(lead.lastContactedOn) : NaN;
    if (!Number.isNaN(last) && Date.now() - last < 30 * DAY) score += 10;
    return { set: { score: Math.min(100, score) } };
  },
};
