import { groupAfterSync, groupIntervalMs, initialGroupState, settleGroup } from './groups.js';
import {
  DEFAULT_GROUP_CONFIG,
  type GroupConfig,
  type SchedulePolicy,
  validateGroupConfig,
} from './policy.js';

/**
 * The seed system's policy, exactly: activity groups 5, 20 and 60 (minutes between polls), new
 * connections in 5, one group down after three weeks without moved data, back to 5 on any sync
 * that moved data. The regular poll is due one group interval after the last poll.
 */
export function seedGroupsPolicy(config: GroupConfig = DEFAULT_GROUP_CONFIG): SchedulePolicy {
  validateGroupConfig(config);
  return {
    name: 'seed-groups',
    description: 'activity groups 5/20/60 min; 3 weeks without data: one group down; data: back to 5',
    config,
    initial: (at) => initialGroupState(config, at),
    settle: (state, at) => settleGroup(config, state, at),
    afterSync: (state, obs) => groupAfterSync(config, state, obs),
    pollIntervalMs: (state) => groupIntervalMs(config, state),
  };
}
