import { type Db, sql } from '@healthsync/platform';
import { z } from 'zod';

export interface SeedOptions {
  /** How many demo users (default 10). */
  readonly users?: number;
  /** How many days of history per user (default 14). */
  readonly days?: number;
  /** User ids are `<prefix>-<n>` (default `demo`). */
  readonly prefix?: string;
  /** The last day of history (default: today). */
  readonly until?: Date;
}

export interface SeedResult {
  readonly users: number;
  readonly exercises: number;
  readonly foodEntries: number;
  readonly measurements: number;
}

const SeedCounts = z.object({
  users: z.number().int(),
  exercises: z.number().int(),
  food_entries: z.number().int(),
  measurements: z.number().int(),
});

/**
 * Fill the app's tables with plausible, deterministic demo data: per user and day a weight and
 * three meals, an exercise every other day, a body-fat reading every week. Users that already
 * exist are left alone (running it twice adds nothing). One statement, so large seeds are fast.
 */
export async function seedDemo(db: Db, options: SeedOptions = {}): Promise<SeedResult> {
  const users = z
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .parse(options.users ?? 10);
  const days = z
    .number()
    .int()
    .min(1)
    .max(3_650)
    .parse(options.days ?? 14);
  const prefix = z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,60}$/)
    .parse(options.prefix ?? 'demo');
  const until = (options.until ?? new Date()).toISOString();
  const result = await sql<unknown>`
    with new_users as (
      insert into shapeup.users (id, email)
      select ${prefix} || '-' || g, ${prefix} || '-' || g || '@example.test'
      from generate_series(1, ${users}::int) as g
      on conflict (id) do nothing
      returning id
    ), base as (
      select u.id as user_id, abs(hashtext(u.id)) as h,
        (array[0, 60, 120, -300, 330])[1 + abs(hashtext(u.id)) % 5] as off,
        d, date_trunc('day', ${until}::timestamptz) - d * interval '1 day' as day
      from new_users u cross join generate_series(0, ${days}::int - 1) as d
    ), weights as (
      insert into shapeup.body_measurements (user_id, kind, value, unit, measured_at, utc_offset_minutes)
      select user_id, 'weight', round((55 + h % 50 + sin(d / 3.0) * 0.8)::numeric, 1), 'kg',
        day + interval '7 hours' - off * interval '1 minute', off
      from base
      union all
      select user_id, 'body_fat', round((12 + h % 20 + cos(d / 5.0))::numeric, 1), '%',
        day + interval '7 hours 5 minutes' - off * interval '1 minute', off
      from base where d % 7 = 0
      returning 1
    ), meals as (
      insert into shapeup.food_entries
        (user_id, consumed_at, utc_offset_minutes, name, meal, calories, protein_grams, fat_grams, carbs_grams)
      select b.user_id, b.day + m.at - b.off * interval '1 minute', b.off, m.name, m.meal,
        m.kcal + (b.h + b.d * 37) % 120, m.protein, m.fat, m.carbs
      from base b cross join (values
        ('breakfast', 'Oatmeal with berries', interval '8 hours', 350, 12.0, 8.0, 55.0),
        ('lunch', 'Chicken salad', interval '12 hours 30 minutes', 520, 38.0, 22.0, 30.0),
        ('dinner', 'Salmon with rice', interval '19 hours', 680, 42.0, 25.0, 65.0)
      ) as m(meal, name, at, kcal, protein, fat, carbs)
      returning 1
    ), workouts as (
      insert into shapeup.exercises
        (user_id, activity_type, name, started_at, utc_offset_minutes, duration_seconds, calories, calories_per_hour, distance_meters)
      select user_id, a.activity, a.name, day + interval '18 hours' - off * interval '1 minute', off,
        1200 + (h + d * 53) % 2400, null, a.kcal_per_hour,
        case when a.speed is null then null else round(a.speed * (1200 + (h + d * 53) % 2400)) end
      from base
      cross join lateral (select * from (values
        ('running', 'Evening run', 600, 2.8),
        ('cycling', 'Bike ride', 450, 6.0),
        ('walking', 'Walk', 250, 1.4),
        ('strength_training', 'Gym session', 380, null)
      ) as a(activity, name, kcal_per_hour, speed) offset ((h + d) % 4) limit 1) as a
      where d % 2 = 0
      returning 1
    )
    select (select count(*) from new_users)::int as users,
      (select count(*) from workouts)::int as exercises,
      (select count(*) from meals)::int as food_entries,
      (select count(*) from weights)::int as measurements`.execute(db);
  const counts = SeedCounts.parse(result.rows[0]);
  return {
    users: counts.users,
    exercises: counts.exercises,
    foodEntries: counts.food_entries,
    measurements: counts.measurements,
  };
}
