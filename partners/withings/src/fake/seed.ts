import { seededRandom } from '@healthsync/partner-kit/fake';
import type { WithingsStore } from './store.js';

const DAY = 86_400;
const DEMO_ZONES = ['Europe/Paris', 'America/New_York'];

/**
 * Demo users with four weeks of history: a height typed in at sign-up, morning weigh-ins with
 * fat ratio on most days, one weigh-in the scale could not attribute (attrib 1), and a few
 * walks, runs and rides a week. Everything is dated before `now`, so `lastupdate` polls see it.
 */
export function seedDemoUsers(
  store: WithingsStore,
  seed: number,
  now: number,
  userids: readonly number[],
): void {
  const rnd = seededRandom(seed);
  const between = (lo: number, hi: number) => lo + (hi - lo) * rnd();
  for (const [u, userid] of userids.entries()) {
    const timezone = DEMO_ZONES[u % DEMO_ZONES.length] ?? 'UTC';
    const user = store.createUser(userid, timezone);
    const today = Math.floor(now / DAY) * DAY;
    const signup = today - 30 * DAY + 3600;
    const height = Math.round(between(1.58, 1.95) * 100) / 100;
    store.addGroup(
      user.userid,
      { date: signup, values: { 4: height }, attrib: 2, deviceid: null, model: null },
      signup + 5,
    );
    let weight = between(58, 98);
    for (let day = 28; day >= 1; day--) {
      weight += between(-0.4, 0.35);
      const date = today - day * DAY + 6 * 3600 + Math.floor(between(0, 7200));
      if (day === 10) {
        const guest = { 1: Math.round((weight + 14.5) * 20) / 20 };
        store.addGroup(user.userid, { date: date + 900, values: guest, attrib: 1 }, date + 961);
      }
      if (rnd() > 0.85) continue;
      const values = { 1: Math.round(weight * 20) / 20, 6: Math.round(between(16, 30) * 10) / 10 };
      store.addGroup(user.userid, { date, values }, date + 61);
      if (rnd() < 0.4) {
        const category = [1, 2, 6][Math.floor(rnd() * 3)] ?? 1;
        const start = today - day * DAY + 17 * 3600 + Math.floor(between(0, 3 * 3600));
        const minutes = Math.round(between(20, 90));
        const perMinute = category === 2 ? [10, 160] : category === 6 ? [8, 350] : [4, 85];
        store.addWorkout(
          user.userid,
          {
            category,
            startdate: start,
            enddate: start + minutes * 60,
            calories: Math.round(minutes * (perMinute[0] ?? 5) * 10) / 10,
            distance: Math.round(minutes * (perMinute[1] ?? 80)),
            ...(category === 6 ? {} : { steps: Math.round(minutes * (category === 2 ? 160 : 110)) }),
          },
          start + minutes * 60 + 300,
        );
      }
    }
  }
}
