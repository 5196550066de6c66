/** A small deterministic generator (mulberry32): the same seed gives the same demo data. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One user's generator from a fake's seed: every user gets their own history, the same each run. */
export function userRandom(seed: number, userId: string): () => number {
  return seededRandom([...userId].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) | 0, seed));
}

/** The demo seed a fake's `seed` option asks for: `false` none, `true` or absent the default (1). */
export function demoSeed(seed: number | boolean | undefined, fallback = 1): number | undefined {
  if (seed === false) return undefined;
  return seed === true || seed === undefined ? fallback : seed;
}
