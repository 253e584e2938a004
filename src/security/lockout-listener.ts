import type { Logger } from '@aws-lambda-powertools/logger';
import { recordLockout } from '../metrics/metrics.js';
import type { LockoutListener } from '../oauth/lockout.js';

/**
 * Records each lockout as a warning log line and a `Lockouts` metric. The log names the
 * user's `sub` or the client id, or a hash for an unknown username, never the presented
 * name itself, because users sometimes type a password into the username field.
 */
export function createLockoutListener(logger: Logger): LockoutListener {
  return (event) => {
    logger.warn('authentication locked after repeated failures', {
      reason: 'lockout',
      lock_kind: event.kind,
      subject: event.subjectRef,
      failures: event.failures,
      locked_until: event.lockedUntil,
      lockouts: event.lockouts,
    });
    recordLockout(event.kind);
  };
}
