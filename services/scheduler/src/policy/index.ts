import { activityHoursPolicy } from './activity-hours.policy.js';
import { DEFAULT_GROUP_CONFIG, type GroupConfig, type SchedulePolicy } from './policy.js';
import { seedGroupsPolicy } from './seed-groups.policy.js';

export * from './activity-hours.policy.js';
export * from './groups.js';
export * from './policy.js';
export * from './seed-groups.policy.js';

/** Every implemented policy, by name: the one in use is chosen by `SCHEDULER_POLICY`. */
export const policyFactories: Readonly<Record<string, (config: GroupConfig) => SchedulePolicy>> = {
  'seed-groups': (config) => seedGroupsPolicy(config),
  'activity-hours': (config) => activityHoursPolicy(config),
};

export const policyNames: readonly string[] = Object.keys(policyFactories);

export function policyByName(name: string, config: GroupConfig = DEFAULT_GROUP_CONFIG): SchedulePolicy {
  const factory = policyFactories[name];
  if (!factory) throw new Error(`unknown policy "${name}"; implemented: ${policyNames.join(', ')}`);
  return factory(config);
}
