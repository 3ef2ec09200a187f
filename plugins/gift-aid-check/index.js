/* global rapport */
// donation: amount (currency), supporter (relation), giftAid (boolean), giftAidAmount (currency, read-only to users)
// supporter: giftAidDeclaredOn (date), address (address)
const penceOf = (money) => Math.round(Number(money.amount) * 100);

module.exports = {
  async check({ values, record }) {
    const claimed = values.giftAid ?? record?.giftAid ?? false;
    if (!claimed) return { set: { giftAidAmount: null } };
    const supporterId = values.supporter ?? record?.supporter;
    if (!supporterId) return { errors: [{ field: 'supporter', detail: 'is needed to claim Gift Aid' }] };
    const supporter = await rapport.records.get('supporter', supporterId);
    const problems = [];
    if (!supporter.giftAidDeclaredOn) problems.push('has no Gift Aid declaration');
    if (supporter.address?.country !== 'GB') problems.push('has no UK address');
    if (problems.length) return { errors: [{ field: 'giftAid', detail: `cannot be claimed: the supporter ${problems.join(' and ')}` }] };
    const amount = values.amount ?? record?.amount;
    if (!amount) return undefined;
    const { rate = 0.25 } = await rapport.settings();
    // Exact money: pence, then back to a decimal string.
    const pence = Math.floor(penceOf(amount) * rate);
    return { set: { giftAidAmount: { amount: (pence / 100).toFixed(2), currency: amount.currency } } };
  },
};
