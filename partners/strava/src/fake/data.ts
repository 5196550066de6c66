import { type FakeClock, FakeUserStore } from '@healthsync/partner-kit/fake';

/** The fake's per-athlete Strava data (SI units: metres, seconds, kg). */
export interface StravaFakeAthlete {
  username: string;
  firstname: string;
  lastname: string;
  /** kg, or null when unset. */
  weight: number | null;
  /** IANA-like zone name and fixed offset (minutes) used to place `start_date_local`. */
  timezone: string;
  offsetMinutes: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface StravaFakeActivity {
  readonly name: string;
  readonly sportType: string;
  readonly start: Date;
  readonly offsetMinutes: number;
  readonly timezone: string;
  readonly elapsedTime: number;
  readonly movingTime: number;
  readonly distance: number;
  readonly calories: number;
  readonly description: string;
  readonly trainer: boolean;
  readonly commute: boolean;
  readonly manual: boolean;
}

/** Legacy `type` for each sport type the fake knows, and a MET value to estimate calories. */
export const SPORT_TYPES: Readonly<Record<string, { type: string; met: number }>> = {
  Run: { type: 'Run', met: 9.8 },
  TrailRun: { type: 'Run', met: 9 },
  Walk: { type: 'Walk', met: 3.5 },
  Hike: { type: 'Hike', met: 6 },
  Ride: { type: 'Ride', met: 7.5 },
  MountainBikeRide: { type: 'Ride', met: 8.5 },
  VirtualRide: { type: 'VirtualRide', met: 7 },
  Swim: { type: 'Swim', met: 6 },
  Yoga: { type: 'Yoga', met: 2.5 },
  Elliptical: { type: 'Elliptical', met: 5 },
  Workout: { type: 'Workout', met: 5 },
};

export class StravaFakeData {
  readonly athletes = new Map<string, StravaFakeAthlete>();
  readonly activities: FakeUserStore<StravaFakeActivity>;

  constructor(readonly clock: FakeClock) {
    this.activities = new FakeUserStore({ clock, firstId: 10_000_000_000 });
  }

  athlete(id: string): StravaFakeAthlete {
    let a = this.athletes.get(id);
    if (!a) {
      const now = this.clock.now();
      a = {
        username: `athlete${id}`,
        firstname: 'Strava',
        lastname: `Athlete ${id}`,
        weight: null,
        timezone: 'UTC',
        offsetMinutes: 0,
        createdAt: now,
        updatedAt: now,
      };
      this.athletes.set(id, a);
    }
    return a;
  }

  /** What Strava estimates for an activity without a power meter or heart rate: MET x kg x hours. */
  estimateCalories(athleteId: string, sportType: string, elapsedSeconds: number): number {
    const met = SPORT_TYPES[sportType]?.met ?? 5;
    return Math.round(met * (this.athlete(athleteId).weight ?? 70) * (elapsedSeconds / 3600) * 10) / 10;
  }
}

const ZONES = [
  { timezone: 'Europe/Paris', offsetMinutes: 60 },
  { timezone: 'America/Los_Angeles', offsetMinutes: -480 },
  { timezone: 'Australia/Sydney', offsetMinutes: 660 },
];

/** Four weeks of history: a weight and an activity most days (runs, rides, walks). */
export function seedAthlete(data: StravaFakeData, id: string, rnd: () => number, days = 28): void {
  const zone = ZONES[Math.floor(rnd() * ZONES.length)] ?? ZONES[0]!;
  const a = data.athlete(id);
  Object.assign(a, {
    ...zone,
    firstname: 'Demo',
    lastname: `Athlete ${id}`,
    weight: Math.round((55 + rnd() * 40) * 10) / 10,
  });
  const now = data.clock.now().getTime();
  a.updatedAt = new Date(now - 3 * 86_400_000);
  for (let d = days; d >= 1; d--) {
    if (rnd() < 0.35) continue;
    const sportType = ['Run', 'Ride', 'Walk'][Math.floor(rnd() * 3)] ?? 'Run';
    const elapsedTime = 1200 + Math.floor(rnd() * 4800);
    const speed = sportType === 'Ride' ? 7 : sportType === 'Run' ? 3 : 1.4;
    const start = new Date(
      Math.floor((now - d * 86_400_000) / 86_400_000) * 86_400_000 + (6 + rnd() * 12) * 3_600_000,
    );
    data.activities.insert(
      id,
      {
        name: `${['Morning', 'Lunch', 'Evening'][Math.floor(rnd() * 3)]} ${sportType}`,
        sportType,
        start: new Date(Math.floor(start.getTime() / 1000) * 1000),
        offsetMinutes: a.offsetMinutes,
        timezone: a.timezone,
        elapsedTime,
        movingTime: Math.round(elapsedTime * 0.92),
        distance: Math.round(elapsedTime * speed * 10) / 10,
        calories: data.estimateCalories(id, sportType, elapsedTime),
        description: '',
        trainer: false,
        commute: false,
        manual: false,
      },
      { at: start },
    );
  }
}
