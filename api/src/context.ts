import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Config, Pool, Queues } from '@assay/platform';
import type { ProblemCatalogue } from '@assay/platform';
import type { ProgressHub } from './ProgressHub';

/** What every route needs; built once by `startServer` (or by a test). */
export interface ApiContext {
  config: Config;
  pool: Pool;
  redis: Redis;
  queues: Queues;
  logger: Logger;
  problems: ProblemCatalogue;
  hub: ProgressHub;
  /** Docker reachability, when this process grades (embedded worker). */
  dockerPing?: () => Promise<void>;
}
