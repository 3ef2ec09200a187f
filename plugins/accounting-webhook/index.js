/* global rapport */
// Posts the invoice to the accounting webhook; the server only lets it reach granted hosts.
module.exports = {
  async send({ record, input, user }) {
    const { url, apiKey } = await rapport.settings();
    const headers = { 'content-type': 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) };
    const body = JSON.stringify({ source: 'rapport', invoice: record, note: input.note ?? null, sentBy: user.id });
    const res = await rapport.http.fetch(url, { method: 'POST', headers, body });
    if (res.status < 200 || res.status >= 300) throw new Error(`accounting answered HTTP ${res.status}`);
    console.log(`sent invoice ${record._id} (HTTP ${res.status})`);
    return { message: `Sent to accounting (HTTP ${res.status})` };
  },
};
