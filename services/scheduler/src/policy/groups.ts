import type { GroupConfig, PolicyState, SyncObservation } from './policy.js';

/**
 * The seed system's activity groups, as pure functions:
 * - every new connection starts in the first group (5);
 * - a connection with no pushed or polled data for `demoteAfterMs` (three weeks) drops one group
 *   (5 -> 20 -> 60); the last group stays;
 * - a sync that moved data puts it back in the first group, where it then stays at least
 *   `demoteAfterMs`.
 *
 * Demotion is measured from the later of the last moved data and the entry into the current
 * group, so each group lasts at least three weeks: 5 -> 20 exactly three weeks after the last
 * data, 20 -> 60 three weeks after that. Exactly `demoteAfterMs` demotes; one millisecond less
 * does not.
 */
export function groupIndex(config: GroupConfig, group: number): number {
  const i = config.groupsMinutes.findIndex((g) => g >= group);
  return i === -1 ? config.groupsMinutes.length - 1 : i;
}

export function initialGroupState(config: GroupConfig, at: Date): PolicyState {
  return { group: config.groupsMinutes[0]!, groupSince: at, lastDataAt: null, extra: null };
}

export function settleGroup(config: GroupConfig, state: PolicyState, at: Date): PolicyState {
  const groups = config.groupsMinutes;
  let index = groupIndex(config, state.group);
  let since = state.groupSince.getTime();
  let anchor = Math.max(since, state.lastDataAt?.getTime() ?? Number.NEGATIVE_INFINITY);
  const now = at.getTime();
  while (index < groups.length - 1 && now - anchor >= config.demoteAfterMs) {
    index++;
    anchor += config.demoteAfterMs;
    since = anchor;
  }
  const group = groups[index]!;
  if (group === state.group && since === state.groupSince.getTime()) return state;
  return { ...state, group, groupSince: new Date(since) };
}

export function movedData(obs: SyncObservation): boolean {
  return obs.pushed > 0 || obs.polledNew > 0;
}

export function groupAfterSync(config: GroupConfig, state: PolicyState, obs: SyncObservation): PolicyState {
  const settled = settleGroup(config, state, obs.at);
  if (!movedData(obs)) return settled;
  const first = config.groupsMinutes[0]!;
  return {
    ...settled,
    group: first,
    groupSince: settled.group === first ? settled.groupSince : obs.at,
    lastDataAt: obs.at,
  };
}

export function groupIntervalMs(config: GroupConfig, state: PolicyState): number {
  return config.groupsMinutes[groupIndex(config, state.group)]! * config.minuteMs;
}
