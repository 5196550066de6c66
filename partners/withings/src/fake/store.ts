import { fromPowerOfTen, toPowerOfTen } from '@healthsync/partner-kit';

/**
 * The Withings fake's data: measure groups and workouts per user, stored the way Withings
 * stores them. A measure is an (integer, exponent) pair, `real = value x 10^unit`, with one
 * stable exponent per type, so every value round-trips exactly.
 */

/** meastype -> exponent (https://developer.withings.com/api-reference/#tag/measure: weight and height
 * in 10^-3 kg/m, fat ratio and fat mass in 10^-2). */
export const MEAS_EXPONENT: Readonly<Record<number, number>> = {
  1: -3,
  4: -3,
  5: -3,
  6: -2,
  8: -2,
  76: -2,
  77: -2,
  88: -2,
};

export interface StoredMeasure {
  readonly type: number;
  readonly value: number;
  readonly unit: number;
}

export interface StoredGroup {
  grpid: number;
  attrib: number;
  date: number;
  created: number;
  modified: number;
  category: number;
  deviceid: string | null;
  model: string | null;
  measures: StoredMeasure[];
}

export interface StoredWorkout {
  id: number;
  category: number;
  timezone: string;
  attrib: number;
  startdate: number;
  enddate: number;
  modified: number;
  deviceid: string | null;
  model: number | null;
  data: Record<string, number | null>;
}

export interface FakeWithingsUser {
  readonly userid: number;
  timezone: string;
  groups: StoredGroup[];
  workouts: StoredWorkout[];
}

/** A decimal as Withings stores it; throws when the value has more decimals than the type keeps. */
export function encodeMeasure(type: number, real: number): StoredMeasure {
  const unit = MEAS_EXPONENT[type] ?? -3;
  const value = toPowerOfTen(real, unit);
  if (!Number.isSafeInteger(value) || fromPowerOfTen(value, unit) !== real)
    throw new RangeError(`meastype ${type} keeps ${-unit} decimals: ${real} does not fit`);
  return { type, value, unit };
}

export const decodeMeasure = (m: StoredMeasure): number => fromPowerOfTen(m.value, m.unit);

export interface NewGroup {
  /** Unix seconds of the measurement. */
  date: number;
  /** meastype -> real value in SI units (kg, m, %). */
  values: Readonly<Record<number, number>>;
  attrib?: number;
  category?: number;
  deviceid?: string | null;
  model?: string | null;
}

export interface NewWorkout {
  category: number;
  startdate: number;
  enddate: number;
  timezone?: string;
  calories?: number;
  distance?: number;
  steps?: number;
  attrib?: number;
}

export class WithingsStore {
  private readonly users = new Map<number, FakeWithingsUser>();
  private nextGrpid = 2_726_375_351;
  private nextWorkoutId = 3_172_587_843;

  constructor(private readonly nowSeconds: () => number) {}

  user(userid: number): FakeWithingsUser | undefined {
    return this.users.get(userid);
  }

  userIds(): number[] {
    return [...this.users.keys()];
  }

  /** Create a user (or return the existing one with this id). */
  createUser(userid: number, timezone = 'Europe/Paris'): FakeWithingsUser {
    const existing = this.users.get(userid);
    if (existing) return existing;
    const user: FakeWithingsUser = { userid, timezone, groups: [], workouts: [] };
    this.users.set(userid, user);
    return user;
  }

  private require(userid: number): FakeWithingsUser {
    const user = this.users.get(userid);
    if (!user) throw new Error(`no Withings user ${userid}`);
    return user;
  }

  addGroup(userid: number, g: NewGroup, at = this.nowSeconds()): StoredGroup {
    const group: StoredGroup = {
      grpid: this.nextGrpid++,
      attrib: g.attrib ?? 0,
      date: g.date,
      created: at,
      modified: at,
      category: g.category ?? 1,
      deviceid: g.deviceid === undefined ? 'f1a0b3c2d4e5f60718293a4b5c6d7e8f90a1b2c3' : g.deviceid,
      model: g.model === undefined ? 'Body Cardio' : g.model,
      measures: Object.entries(g.values).map(([type, real]) => encodeMeasure(Number(type), real)),
    };
    this.require(userid).groups.push(group);
    return group;
  }

  /** Change a group's values (as a user correcting a weigh-in): `modified` moves forward. */
  editGroup(userid: number, grpid: number, values: Readonly<Record<number, number>>): StoredGroup {
    const group = this.require(userid).groups.find((g) => g.grpid === grpid);
    if (!group) throw new Error(`no measure group ${grpid}`);
    group.measures = Object.entries(values).map(([type, real]) => encodeMeasure(Number(type), real));
    group.modified = Math.max(this.nowSeconds(), group.modified + 1);
    return group;
  }

  addWorkout(userid: number, w: NewWorkout, at = this.nowSeconds()): StoredWorkout {
    const user = this.require(userid);
    const workout: StoredWorkout = {
      id: this.nextWorkoutId++,
      category: w.category,
      timezone: w.timezone ?? user.timezone,
      attrib: w.attrib ?? 7,
      startdate: w.startdate,
      enddate: w.enddate,
      modified: at,
      deviceid: '892359876fd8805ac45bab078c4828692f0276b1',
      model: 1055,
      data: {
        calories: w.calories ?? null,
        manual_calories: 0,
        distance: w.distance ?? null,
        manual_distance: 0,
        steps: w.steps ?? null,
        intensity: 30,
        pause_duration: 0,
        elevation: null,
        hr_average: null,
      },
    };
    user.workouts.push(workout);
    return workout;
  }
}
