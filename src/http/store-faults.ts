/**
 * Maps infrastructure faults (DynamoDB, Secrets Manager or the network between them and the
 * function) to `temporarily_unavailable` (503 with `Retry-After`), so a client retries later
 * instead of treating the request as rejected. Everything else stays `server_error` (500).
 */
import type { ErrorClassifier } from './create-handler.js';
import { OAuthError } from '../oauth/errors.js';

/** Error names the AWS SDK v3 uses for throttling, capacity and service-side faults. */
const TRANSIENT_ERROR_NAMES: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'Throttling',
  'RequestLimitExceeded',
  'TooManyRequestsException',
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'RequestTimeout',
  'RequestTimeoutException',
  'StoreCapacityError',
]);

/** Node.js socket error codes that mean the store could not be reached or dropped the connection. */
const NETWORK_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

/**
 * Thrown by repositories when a batch operation still has unprocessed keys after its
 * retries, which DynamoDB does when the table or partition is over capacity.
 */
export class StoreCapacityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreCapacityError';
  }
}

interface SdkErrorShape {
  readonly name?: unknown;
  readonly code?: unknown;
  readonly $fault?: unknown;
  readonly $retryable?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
  readonly cause?: unknown;
}

/** Returns the reason an error counts as a transient store fault, or undefined when it does not. */
export function storeFaultReason(error: unknown, depth = 0): string | undefined {
  if (typeof error !== 'object' || error === null || depth > 3) return undefined;
  const shape = error as SdkErrorShape;
  const name = typeof shape.name === 'string' ? shape.name : 'Error';

  if (TRANSIENT_ERROR_NAMES.has(name)) return name;
  if (typeof shape.code === 'string' && NETWORK_ERROR_CODES.has(shape.code)) return shape.code;
  if (shape.$retryable !== undefined && shape.$retryable !== null) return `${name} (retryable)`;
  const status = shape.$metadata?.httpStatusCode;
  if (typeof status === 'number' && status >= 500) return `${name} (HTTP ${status})`;
  if (shape.$fault === 'server') return `${name} (server fault)`;
  // The SDK wraps some socket errors; look at the cause as well.
  return storeFaultReason(shape.cause, depth + 1);
}

/**
 * Classifies the errors of the OAuth endpoints: store faults become `temporarily_unavailable`
 * with the fault's name as the logged detail, anything else `server_error`.
 */
export const classifyStoreFault: ErrorClassifier = (error) => {
  const reason = storeFaultReason(error);
  if (reason !== undefined) {
    return new OAuthError('temporarily_unavailable', 'the service is temporarily unavailable; retry the request later', {
      detail: `store fault: ${reason}`,
      cause: error,
    });
  }
  return new OAuthError('server_error', 'the server encountered an unexpected error', { cause: error });
};
