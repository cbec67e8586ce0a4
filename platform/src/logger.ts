import { pino, type Logger } from 'pino';
import type { Config } from './config';

/** The platform's pino logger; children carry `submissionId` on every line about a submission. */
export function createLogger(config: Pick<Config, 'logLevel'>, service: string): Logger {
  return pino({ level: config.logLevel, base: { service }, timestamp: pino.stdTimeFunctions.isoTime });
}
