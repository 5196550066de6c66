import { baseEnv, envInt, loadEnv } from '@healthsync/platform';
import { z } from 'zod';

export const DetectorEnv = baseEnv.extend({
  PORT: envInt(8082),
  /** Pause between runs when caught up. */
  DETECT_INTERVAL_MS: envInt(1000).pipe(z.number().min(50, 'DETECT_INTERVAL_MS must be at least 50')),
  /** Rows per transaction. */
  DETECT_BATCH_SIZE: envInt(1000).pipe(z.number().min(1).max(50_000)),
  /** How far below the oldest transaction in flight the safe position stays. */
  DETECT_SAFETY_MARGIN_MS: envInt(1000).pipe(z.number().min(0).max(60_000)),
  /** Where a kind never scanned before starts: every existing row, or only changes from now on. */
  DETECT_START_FROM: z.enum(['beginning', 'now']).default('beginning'),
  /** Log a warning when one transaction has held the safe position back longer than this. */
  DETECT_HOLD_WARN_SECONDS: envInt(300).pipe(z.number().min(1)),
});
export type DetectorEnv = z.infer<typeof DetectorEnv>;

export const loadDetectorEnv = (source: NodeJS.ProcessEnv = process.env) => loadEnv(DetectorEnv, source);
