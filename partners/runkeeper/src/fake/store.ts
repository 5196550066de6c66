import { type FakeClock, FakeUserStore, type StoredItem } from '@healthsync/partner-kit/fake';
import { z } from 'zod';

/**
 * The partner-side data of the RunKeeper fake: per user, three resources keyed by numeric id,
 * each item with the time it was last modified (for `modifiedNoEarlierThan`), and demo history.
 */
export type ResourceKey = 'fitness_activities' | 'weight' | 'nutrition';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** `Sun, 19 Oct 2014 13:17:27` -> ms of that wall time read as UTC; undefined when unreadable. */
export function parseLocalTime(text: string): number | undefined {
  const m = /^(?:[A-Za-z]{3}, )?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(text.trim());
  if (!m) return undefined;
  const month = MONTHS.indexOf(m[2] ?? '');
  const at = Date.UTC(Number(m[3]), month, Number(m[1]), Number(m[4]), Number(m[5]), Number(m[6]));
  return month < 0 || new Date(at).getUTCDate() !== Number(m[1]) ? undefined : at;
}

export function formatLocalTime(ms: number): string {
  const d = new Date(ms);
  const time = [d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return `${DAYS[d.getUTCDay()]}, ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${time}`;
}

const LocalTime = z
  .string()
  .refine((t) => parseLocalTime(t) !== undefined, 'expected a time like "Sat, 1 Jan 2011 07:30:00"');
const amount = z.number().finite().nonnegative();

/** What a client may write, per resource (unknown fields are kept, as the Health Graph keeps extras). */
export const WRITABLE: Record<ResourceKey, z.ZodType<Record<string, unknown>>> = {
  fitness_activities: z.looseObject({
    type: z.string().min(1),
    start_time: LocalTime,
    duration: amount,
    total_distance: amount.optional(),
    total_calories: amount.optional(),
    notes: z.string().optional(),
  }),
  weight: z.looseObject({
    timestamp: LocalTime,
    weight: amount.optional(),
    fat_percent: amount.max(100).optional(),
    free_mass: amount.optional(),
    mass_weight: amount.optional(),
    bmi: amount.optional(),
  }),
  nutrition: z.looseObject({
    timestamp: LocalTime,
    calories: amount,
    carbohydrates: amount.optional(),
    fat: amount.optional(),
    fiber: amount.optional(),
    protein: amount.optional(),
    sodium: amount.optional(),
    water: amount.optional(),
  }),
};

/** The time field each resource sorts and filters by. */
export const TIME_FIELD: Record<ResourceKey, 'start_time' | 'timestamp'> = {
  fitness_activities: 'start_time',
  weight: 'timestamp',
  nutrition: 'timestamp',
};

export type RunKeeperFakeItem = Record<string, unknown>;
/** Per resource, per user: the kit's item store (ids, modification times, soft deletes). */
export type RunKeeperFakeData = Record<ResourceKey, FakeUserStore<RunKeeperFakeItem>>;

export function createRunKeeperData(clock: FakeClock): RunKeeperFakeData {
  const store = () => new FakeUserStore<RunKeeperFakeItem>({ clock, firstId: 400_000_000 });
  return { fitness_activities: store(), weight: store(), nutrition: store() };
}

/** A user's items newest first (by their own local time, then id), as the feeds list them. */
export function newestFirst(
  data: RunKeeperFakeData,
  userId: string,
  key: ResourceKey,
): StoredItem<RunKeeperFakeItem>[] {
  const time = (i: StoredItem<RunKeeperFakeItem>) =>
    parseLocalTime(String(i.data[TIME_FIELD[key]] ?? '')) ?? 0;
  return data[key].list(userId).sort((a, b) => time(b) - time(a) || Number(b.id) - Number(a.id));
}

const DEMO_TYPES = [
  { type: 'Running', kcalPerHour: 600, metresPerSecond: 2.8 },
  { type: 'Cycling', kcalPerHour: 500, metresPerSecond: 6.5 },
  { type: 'Walking', kcalPerHour: 280, metresPerSecond: 1.4 },
  { type: 'Swimming', kcalPerHour: 450, metresPerSecond: 0.6 },
] as const;

/** Demo history for one user over the 30 days before `now`: activities, weight sets, nutrition sets. */
export function seedUser(data: RunKeeperFakeData, userId: string, rand: () => number, now: Date): void {
  const day = 86_400_000;
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 30 * day;
  const at = (d: number, hour: number) =>
    formatLocalTime(start + d * day + hour * 3_600_000 + Math.floor(rand() * 60) * 60_000);
  let weight = 70 + rand() * 20;
  for (let d = 0; d < 30; d++) {
    if (d % 2 === 0) {
      const kind = DEMO_TYPES[Math.floor(rand() * DEMO_TYPES.length)] ?? DEMO_TYPES[0];
      const duration = 1200 + Math.floor(rand() * 3600);
      data.fitness_activities.insert(
        userId,
        {
          type: kind.type,
          start_time: at(d, 7),
          utc_offset: 1,
          duration,
          total_distance: Math.round(duration * kind.metresPerSecond),
          total_calories: Math.round((kind.kcalPerHour * duration) / 3600),
          tracking_mode: 'outdoor',
          entry_mode: 'Web',
          has_path: true,
          source: 'RunKeeper',
        },
        { at: now },
      );
    }
    if (d % 3 === 0) {
      weight += (rand() - 0.55) * 0.6;
      data.weight.insert(
        userId,
        {
          timestamp: at(d, 6),
          weight: Math.round(weight * 10) / 10,
          fat_percent: Math.round((18 + rand() * 8) * 10) / 10,
          source: 'RunKeeper',
        },
        { at: now },
      );
    }
    if (d % 4 === 1) {
      data.nutrition.insert(
        userId,
        {
          timestamp: at(d, 12),
          calories: 400 + Math.round(rand() * 600),
          protein: Math.round(rand() * 40),
          fat: Math.round(rand() * 30),
          carbohydrates: Math.round(rand() * 90),
          source: 'MyFitnessPal',
        },
        { at: now },
      );
    }
  }
}
