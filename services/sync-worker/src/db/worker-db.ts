import { createDb, type Db, PreparingClient } from '@healthsync/platform';

export { PREPARED_MARK, PreparingClient } from '@healthsync/platform';

export interface WorkerDbOptions {
  /** Pool size. */
  max: number;
  applicationName?: string;
  /** The client class (a subclass of {@link PreparingClient}, e.g. one that counts queries). */
  Client?: typeof PreparingClient;
}

/** The worker's database: the platform's pool, with the hot statements of a sync kept prepared. */
export function createWorkerDb(url: string, options: WorkerDbOptions): Db {
  return createDb(url, { ...options, Client: options.Client ?? PreparingClient });
}
