// `pnpm --filter @healthsync/scheduler replay --policy <name> [--policy <name>...] [--from ISO] [--to ISO]`
// Judge polling policies on the recorded history before switching one on (DESIGN.md §2).
import { parseArgs } from 'node:util';
import { declarations } from '@healthsync/partners/declarations';
import { createDb, exitOnEnvError } from '@healthsync/platform';
import { contextOptionsFromEnv, loadProjectionEnv } from '../env.js';
import { policyByName, policyNames } from '../policy/index.js';
import { formatReplay, replay } from '../replay/replay.js';
import { createSchedulerContext } from '../scheduler.js';

const usage = `usage: replay --policy <${[...policyNames, 'all'].join('|')}> [--policy ...] [--from ISO] [--to ISO] [--json]`;

function parse() {
  try {
    const { values } = parseArgs({
      options: {
        policy: { type: 'string', multiple: true },
        from: { type: 'string' },
        to: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    });
    if (values.help) {
      process.stdout.write(`${usage}\n`);
      process.exit(0);
    }
    const names = (values.policy ?? ['all']).flatMap((p) => (p === 'all' ? policyNames : [p]));
    for (const n of names)
      if (!policyNames.includes(n))
        throw new Error(`unknown policy "${n}"; implemented: ${policyNames.join(', ')}`);
    const date = (v: string | undefined, what: string) => {
      if (v === undefined) return undefined;
      const d = new Date(v);
      if (Number.isNaN(d.getTime())) throw new Error(`--${what} must be an ISO date`);
      return d;
    };
    return {
      names: [...new Set(names)],
      from: date(values.from, 'from'),
      to: date(values.to, 'to'),
      json: values.json,
    };
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${usage}\n`);
    process.exit(64);
  }
}

const args = parse();
const env = (() => {
  try {
    return loadProjectionEnv();
  } catch (e) {
    return exitOnEnvError(e);
  }
})();
const ctx = createSchedulerContext({ declarations, ...contextOptionsFromEnv(env) });
// Every policy is judged with the configured groups; the configured policy is always included.
const policies = args.names.map((n) => policyByName(n, ctx.policy.config));
if (!policies.some((p) => p.name === ctx.policy.name)) policies.unshift(ctx.policy);
const db = createDb(env.DATABASE_URL, { max: 2, applicationName: 'scheduler-replay' });
try {
  const report = await replay(db, {
    policies,
    ctx,
    window: { ...(args.from ? { from: args.from } : {}), ...(args.to ? { to: args.to } : {}) },
  });
  process.stdout.write(args.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatReplay(report)}\n`);
} finally {
  await db.destroy();
}
