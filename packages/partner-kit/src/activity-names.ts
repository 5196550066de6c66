/**
 * The app's activity types and the everyday English names for them: what partners that name their
 * activities in words send most of the time. A partner reads its names through `activityNames`,
 * declaring only the names of its own.
 */
export const ACTIVITY_NAMES: Readonly<Record<string, readonly string[]>> = {
  walking: ['walk', 'walking'],
  running: ['run', 'running', 'jog', 'jogging'],
  cycling: ['bike', 'biking', 'cycle', 'cycling', 'bicycle'],
  swimming: ['swim', 'swimming'],
  hiking: ['hike', 'hiking'],
  yoga: ['yoga'],
  elliptical: ['elliptical'],
  rowing: ['row', 'rowing'],
};

/** A name as compared: lower case, every run of other characters one space (`Outdoor-Bike` -> `outdoor bike`). */
const wordsOf = (name: string) =>
  name
    .toLowerCase()
    .replace(/[^a-z]+/g, ' ')
    .trim();

/**
 * Activity names -> the app's activity types: `ACTIVITY_NAMES` and the partner's own `names`
 * (`{running: ['treadmill']}`; they win over the common ones), compared as words (case,
 * punctuation and spacing aside). A name not listed (or absent) is `fallback`: `other`, or
 * computed from the name as given (`''` when absent), e.g. `activityTypeOf` to keep the partner's
 * word. `toApp` fits `fieldMapper`'s `{code, table}`.
 */
export function activityNames(
  names: Readonly<Record<string, readonly string[]>> = {},
  fallback: string | ((name: string) => string) = 'other',
) {
  const types = new Map<string, string>();
  for (const table of [ACTIVITY_NAMES, names])
    for (const [type, list] of Object.entries(table)) for (const name of list) types.set(wordsOf(name), type);
  return {
    toApp(name: string | number | null | undefined): string {
      const given = name === null || name === undefined ? '' : String(name).trim();
      const type = types.get(wordsOf(given));
      if (type !== undefined) return type;
      return typeof fallback === 'string' ? fallback : fallback(given);
    },
  };
}
