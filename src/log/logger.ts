import { Logger } from '@aws-lambda-powertools/logger';

/**
 * Creates the structured JSON logger of one function. The level comes from
 * `POWERTOOLS_LOG_LEVEL` (default INFO). Callers log ids, codes and reasons, never a
 * secret, password or token.
 */
export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}
