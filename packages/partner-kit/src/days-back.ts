/**
 * A `listPoll` `initial` for lists that would otherwise be read from the beginning of time: the
 * first pass starts `days` days before the poll's `now`, as the since-cursor's type needs it: epoch
 * seconds (Strava `after`) or a UTC day `yyyy-MM-dd` (Fitbit `afterDate`).
 */
export function daysBack(days: number, as: 'epoch'): (ctx: { readonly now: Date }) => number;
export function daysBack(days: number, as: 'day'): (ctx: { readonly now: Date }) => string;
export function daysBack(days: number, as: 'epoch' | 'day') {
  return ({ now }: { readonly now: Date }): number | string => {
    const start = now.getTime() - days * 86_400_000;
    return as === 'epoch' ? Math.floor(start / 1000) : new Date(start).toISOString().slice(0, 10);
  };
}
