/** Deterministic PRNG (mulberry32): the same seed gives the same documents and the same op mix. */
export type Random = {
  next(): number;
  int(maxExclusive: number): number;
  between(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  text(length: number): string;
};

const WORDS = [
  'account', 'renewal', 'meeting', 'follow', 'up', 'quote', 'budget', 'pipeline', 'demo', 'contract',
  'onboarding', 'support', 'invoice', 'referral', 'webinar', 'partner', 'upgrade', 'call', 'email', 'notes',
  'donor', 'volunteer', 'campaign', 'event', 'grant', 'proposal', 'signed', 'pending', 'urgent', 'next',
];

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (maxExclusive: number): number => Math.floor(next() * maxExclusive);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    pick: (items) => items[int(items.length)]!,
    text(length) {
      let out = '';
      while (out.length < length) out += (out ? ' ' : '') + WORDS[int(WORDS.length)];
      return out.slice(0, length);
    },
  };
}

/** A seed from BENCH_SEED when set (to replay a run), else a fresh one; always print it. */
export function pickSeed(env: NodeJS.ProcessEnv = process.env): number {
  const fromEnv = Number(env.BENCH_SEED);
  return Number.isInteger(fromEnv) && env.BENCH_SEED ? fromEnv : Math.floor(Math.random() * 2 ** 31);
}
