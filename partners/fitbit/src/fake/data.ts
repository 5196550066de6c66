import { isoWithOffset } from '@healthsync/partner-kit';
import { type FakeClock, FakeUserStore } from '@healthsync/partner-kit/fake';

/**
 * The fake's per-user Fitbit data, always stored in metric units (kg, km, ms); the routes convert
 * to and from the caller's Accept-Language units. Times are the user's local wall clock, as
 * Fitbit keeps them ("Fitbit does not support time zones for data").
 */
export interface FitbitFakeProfile {
  displayName: string;
  timezone: string;
  offsetMinutes: number;
  heightCm: number;
}

export interface BodyEntry {
  readonly date: string;
  readonly time: string;
  /** kg for weight logs, percent for fat logs. */
  readonly value: number;
  readonly source: 'API' | 'Aria' | 'Web';
}

export interface ActivityEntry {
  readonly activityId: number;
  readonly activityName: string;
  readonly calories: number;
  readonly durationMs: number;
  readonly distanceKm?: number;
  readonly steps?: number;
  /** Local `yyyy-MM-ddTHH:mm:ss`. */
  readonly start: string;
  readonly logType: 'manual' | 'auto_detected' | 'mobile_run';
}

export interface FoodEntry {
  readonly date: string;
  readonly name: string;
  readonly foodId: number;
  readonly mealTypeId: number;
  readonly unitId: number;
  readonly amount: number;
  readonly calories: number;
  readonly carbs: number;
  readonly fat: number;
  readonly fiber: number;
  readonly protein: number;
  readonly sodium: number;
}

/** Known activity types (a few of Fitbit's), with a MET value to estimate calories. */
export const ACTIVITY_TYPES: Readonly<Record<number, { name: string; met: number }>> = {
  90013: { name: 'Walk', met: 3.5 },
  90009: { name: 'Run', met: 9.8 },
  90001: { name: 'Bike', met: 7.5 },
  90024: { name: 'Swim', met: 6 },
  52001: { name: 'Yoga', met: 2.5 },
};

/** A few of Fitbit's public foods, per serving (unit 304). */
export const FOODS: Readonly<Record<number, Omit<FoodEntry, 'date' | 'mealTypeId' | 'unitId' | 'amount'>>> = {
  81312: {
    foodId: 81312,
    name: 'Tomato soup',
    calories: 90,
    carbs: 20,
    fat: 0.6,
    fiber: 1.5,
    protein: 2,
    sodium: 700,
  },
  18069: {
    foodId: 18069,
    name: 'Oatmeal',
    calories: 150,
    carbs: 27,
    fat: 2.5,
    fiber: 4,
    protein: 5,
    sodium: 0,
  },
  9003: {
    foodId: 9003,
    name: 'Apple',
    calories: 95,
    carbs: 25,
    fat: 0.3,
    fiber: 4.4,
    protein: 0.5,
    sodium: 2,
  },
};

export class FitbitFakeData {
  readonly profiles = new Map<string, FitbitFakeProfile>();
  readonly weight: FakeUserStore<BodyEntry>;
  readonly fat: FakeUserStore<BodyEntry>;
  readonly activities: FakeUserStore<ActivityEntry>;
  readonly foods: FakeUserStore<FoodEntry>;
  /** Tests: the activity list serves at most this many items per page, whatever `limit` asks. */
  activityPageCap: number | undefined = undefined;

  constructor(readonly clock: FakeClock) {
    this.weight = new FakeUserStore({ clock });
    this.fat = new FakeUserStore({ clock });
    this.activities = new FakeUserStore({ clock, firstId: 40_000_000_000 });
    this.foods = new FakeUserStore({ clock, firstId: 19_000_000_000 });
  }

  profile(userId: string): FitbitFakeProfile {
    let p = this.profiles.get(userId);
    if (!p) {
      p = { displayName: `User ${userId}`, timezone: 'UTC', offsetMinutes: 0, heightCm: 175 };
      this.profiles.set(userId, p);
    }
    return p;
  }

  /** Body log ids are the log's local time in epoch milliseconds, unique per user (not globally). */
  addBody(store: FakeUserStore<BodyEntry>, userId: string, entry: BodyEntry): string {
    let id = Date.parse(`${entry.date}T${entry.time}Z`);
    while (store.get(userId, String(id))) id += 1;
    return store.insert(userId, entry, { id: String(id) }).id;
  }

  /** The user's local date today. */
  today(userId: string): string {
    return localDateTime(this.clock.now(), this.profile(userId).offsetMinutes).slice(0, 10);
  }
}

/** The wall clock at a UTC offset: `yyyy-MM-ddTHH:mm:ss`. */
export function localDateTime(at: Date, offsetMinutes: number): string {
  return isoWithOffset(at, offsetMinutes).iso.slice(0, 19);
}

export function addDays(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const ZONES = [
  { timezone: 'Europe/Paris', offsetMinutes: 60 },
  { timezone: 'America/Los_Angeles', offsetMinutes: -480 },
  { timezone: 'Asia/Kolkata', offsetMinutes: 330 },
  { timezone: 'UTC', offsetMinutes: 0 },
];

const hhmmss = (minutes: number) =>
  `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;

/** Four weeks of history: a weigh-in (with body fat) most mornings, a workout every other day, three meals a day. */
export function seedUser(data: FitbitFakeData, userId: string, rnd: () => number, days = 28): void {
  const zone = ZONES[Math.floor(rnd() * ZONES.length)] ?? ZONES[0]!;
  const heightCm = Math.round(160 + rnd() * 30);
  data.profiles.set(userId, { displayName: `Demo ${userId}`, ...zone, heightCm });
  const today = data.today(userId);
  let kg = 60 + rnd() * 35;
  for (let d = days; d >= 1; d--) {
    const date = addDays(today, -d);
    if (rnd() < 0.8) {
      const time = hhmmss(6 * 60 + Math.floor(rnd() * 120));
      kg += (rnd() - 0.55) * 0.4;
      data.addBody(data.weight, userId, { date, time, value: Math.round(kg * 10) / 10, source: 'Aria' });
      data.addBody(data.fat, userId, {
        date,
        time,
        value: Math.round((18 + rnd() * 12) * 10) / 10,
        source: 'Aria',
      });
    }
    if (d % 2 === 0) {
      const activityId = [90013, 90009, 90001][Math.floor(rnd() * 3)] ?? 90013;
      const type = ACTIVITY_TYPES[activityId]!;
      const minutes = 20 + Math.floor(rnd() * 60);
      const speed = activityId === 90009 ? 10 : activityId === 90001 ? 20 : 5;
      data.activities.insert(userId, {
        activityId,
        activityName: type.name,
        calories: Math.round((type.met * kg * minutes) / 60),
        durationMs: minutes * 60_000,
        distanceKm: Math.round(((speed * minutes) / 60) * 100) / 100,
        ...(activityId === 90001 ? {} : { steps: Math.round(minutes * (activityId === 90009 ? 160 : 110)) }),
        start: `${date}T${hhmmss(17 * 60 + Math.floor(rnd() * 120))}`,
        logType: rnd() < 0.5 ? 'auto_detected' : 'manual',
      });
    }
    for (const [mealTypeId, foodId] of [
      [1, 18069],
      [3, 81312],
      [4, 9003],
    ] as const) {
      const food = FOODS[foodId]!;
      data.foods.insert(userId, { ...food, date, mealTypeId, unitId: 304, amount: 1 });
    }
  }
}
