import { type FakeClock, FakeUserStore } from '@healthsync/partner-kit/fake';

/**
 * The partner-side data of the Moves fake: per user a profile (first day, time zone) and one
 * storyline day per date (`yyyyMMdd`), each with the time it was last updated (`updatedSince`).
 */
export interface MovesFakeActivity {
  activity: string;
  group: string;
  manual: boolean;
  startTime: string;
  endTime: string;
  duration: number;
  distance?: number;
  steps?: number;
  calories?: number;
}

export interface MovesFakeSegment {
  type: 'place' | 'move' | 'off';
  startTime: string;
  endTime: string;
  place?: { id: number; type: string; name?: string; location: { lat: number; lon: number } };
  activities?: MovesFakeActivity[];
  lastUpdate: string;
}

export interface MovesFakeDay {
  date: string;
  segments: MovesFakeSegment[] | null;
  caloriesIdle?: number;
  lastUpdate?: string;
}

export interface MovesFakeProfile {
  firstDate: string;
  timeZone: { id: string; offset: number };
}

export interface MovesFakeData {
  readonly days: FakeUserStore<MovesFakeDay>;
  readonly profiles: Map<string, MovesFakeProfile>;
}

export function createMovesData(clock: FakeClock): MovesFakeData {
  return { days: new FakeUserStore<MovesFakeDay>({ clock }), profiles: new Map() };
}

/**
 * Store (or replace) one day for a user, as the phone app's upload would; the profile's first
 * day moves back to it when needed.
 */
export function putDay(data: MovesFakeData, userId: string, day: MovesFakeDay, offsetSeconds = 7200): void {
  const profile = data.profiles.get(userId);
  if (!profile)
    data.profiles.set(userId, {
      firstDate: day.date,
      timeZone: { id: 'Europe/Helsinki', offset: offsetSeconds },
    });
  else if (day.date < profile.firstDate) profile.firstDate = day.date;
  if (!data.days.update(userId, day.date, day)) data.days.insert(userId, day, { id: day.date });
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `yyyyMMdd` of an instant at an offset (seconds). */
export function dayAt(ms: number, offsetSeconds: number): string {
  return new Date(ms + offsetSeconds * 1000).toISOString().slice(0, 10).replace(/-/g, '');
}

export function dayMs(day: string): number {
  return Date.UTC(Number(day.slice(0, 4)), Number(day.slice(4, 6)) - 1, Number(day.slice(6, 8)));
}

export function addDays(day: string, n: number): string {
  return dayAt(dayMs(day) + n * 86_400_000, 0);
}

/** Moves time: `20121212T071430+0200` for a local wall time (ms read as UTC) at an offset (seconds). */
export function movesTime(localMs: number, offsetSeconds: number): string {
  const d = new Date(localMs);
  const abs = Math.abs(offsetSeconds / 60);
  const zone = `${offsetSeconds < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
  return `${d.toISOString().slice(0, 19).replace(/[-:]/g, '')}${zone}`;
}

/** `yyyyMMdd'T'HHmmss(Z|±HHmm)` -> epoch ms; undefined when unreadable. */
export function parseMovesTime(text: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(Z|[+-]\d{4})$/.exec(text.trim());
  if (!m) return undefined;
  const wall = Date.UTC(
    Number(m[1]),
    Number(m[2]) - 1,
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6]),
  );
  const zone = m[7] ?? 'Z';
  const offset =
    zone === 'Z'
      ? 0
      : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(3)));
  return wall - offset * 60_000;
}

const HOME = { id: 1, type: 'home', name: 'Home', location: { lat: 60.1699, lon: 24.9384 } };
const WORK = { id: 2, type: 'work', name: 'Work', location: { lat: 60.1841, lon: 24.8301 } };

/**
 * Demo storyline for one user: the 30 days before today (local), each with a walk to the
 * station, a commute, and a run every third day, calories included (calorie tracking on).
 */
export function seedUser(data: MovesFakeData, userId: string, rand: () => number, now: Date): void {
  const offset = 7200;
  const today = dayAt(now.getTime(), offset);
  const firstDate = addDays(today, -30);
  data.profiles.set(userId, { firstDate, timeZone: { id: 'Europe/Helsinki', offset } });
  const updated = `${now.toISOString().slice(0, 19).replace(/[-:]/g, '')}Z`;
  for (let d = 0; d < 30; d++) {
    const date = addDays(firstDate, d);
    const base = dayMs(date);
    const t = (h: number, m: number) => movesTime(base + h * 3_600_000 + m * 60_000, offset);
    const walkMin = 8 + Math.floor(rand() * 10);
    const walk: MovesFakeActivity = {
      activity: 'walking',
      group: 'walking',
      manual: false,
      startTime: t(7, 30),
      endTime: t(7, 30 + walkMin),
      duration: walkMin * 60,
      distance: walkMin * 80,
      steps: walkMin * 110,
      calories: Math.round(walkMin * 4.5),
    };
    const commute = (h: number, from: number): MovesFakeActivity => ({
      activity: 'transport',
      group: 'transport',
      manual: false,
      startTime: t(h, from),
      endTime: t(h, from + 20),
      duration: 1200,
      distance: 9000,
    });
    const segments: MovesFakeSegment[] = [
      { type: 'place', startTime: t(0, 0), endTime: t(7, 30), place: HOME, lastUpdate: updated },
      {
        type: 'move',
        startTime: t(7, 30),
        endTime: t(7, 50 + walkMin),
        activities: [walk, commute(7, 30 + walkMin)],
        lastUpdate: updated,
      },
      { type: 'place', startTime: t(7, 50 + walkMin), endTime: t(17, 0), place: WORK, lastUpdate: updated },
      {
        type: 'move',
        startTime: t(17, 0),
        endTime: t(17, 20),
        activities: [commute(17, 0)],
        lastUpdate: updated,
      },
    ];
    if (d % 3 === 0) {
      const runMin = 25 + Math.floor(rand() * 20);
      segments.push({
        type: 'move',
        startTime: t(18, 0),
        endTime: t(18, runMin),
        activities: [
          {
            activity: 'running',
            group: 'running',
            manual: false,
            startTime: t(18, 0),
            endTime: t(18, runMin),
            duration: runMin * 60,
            distance: runMin * 170,
            steps: runMin * 160,
            calories: runMin * 11,
          },
        ],
        lastUpdate: updated,
      });
    }
    segments.push({
      type: 'place',
      startTime: t(19, 0),
      endTime: t(23, 59),
      place: HOME,
      lastUpdate: updated,
    });
    data.days.insert(
      userId,
      { date, segments, caloriesIdle: 1700 + Math.round(rand() * 200), lastUpdate: updated },
      { id: date, at: now },
    );
  }
}
