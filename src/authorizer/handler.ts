import type { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayAuthorizerResult, APIGatewaySimpleAuthorizerWithContextResult, Context } from 'aws-lambda';
import type { AuthorizationDecision, Authorizer, AuthorizerContext } from './authorizer.js';
import { AMBIGUOUS, readAuthorizerEvent, type EventKind } from './events.js';
import { parseRouteArn } from './policy.js';
import { TokenRejectedError } from './rejection.js';

export type AuthorizerResult = APIGatewayAuthorizerResult | APIGatewaySimpleAuthorizerWithContextResult<AuthorizerContext>;

export type AuthorizerHandler = (event: unknown, context?: Context) => Promise<AuthorizerResult>;

/**
 * The error message API Gateway turns into a 401 response. Any other error becomes a 500,
 * so the handler throws nothing else.
 */
export const UNAUTHORIZED = 'Unauthorized';

export interface AuthorizerHandlerOptions {
  readonly authorizer: Authorizer;
  readonly logger: Logger;
  /** HTTP APIs: return `{isAuthorized}` (true) or an IAM policy (false). */
  readonly httpApiSimpleResponses: boolean;
}

/**
 * Builds the Lambda handler for REST TOKEN, REST REQUEST and HTTP API (payload 2.0) events.
 *
 * - 401: throws `Error('Unauthorized')` for every event type.
 * - 403: returns a policy that denies the route (REST, and HTTP APIs with IAM responses),
 *   or `{isAuthorized: false}` (HTTP API simple responses).
 *
 * The reason is logged before every denial, with the `kid`, `jti` and `client_id` when known.
 */
export function createAuthorizerHandler(options: AuthorizerHandlerOptions): AuthorizerHandler {
  const { authorizer, logger } = options;

  return async (event, context) => {
    if (context !== undefined) logger.addContext(context);
    const input = readAuthorizerEvent(event);
    try {
      if (input === undefined) throw new TokenRejectedError('unknown_event');
      if (input.authorization === AMBIGUOUS) throw new TokenRejectedError('ambiguous_token', 'more than one Authorization value');
      const route = parseRouteArn(input.routeArn);
      if (route === undefined) throw new TokenRejectedError('unknown_event', 'route ARN is not an execute-api ARN');

      const decision = await authorizer.authorize(input.authorization, route);
      if (decision.routeAllowed) {
        logger.debug('request authorized', { kid: decision.kid, jti: decision.context.jti, client_id: decision.context.client_id });
      } else {
        logger.info('request denied', {
          status: 403,
          reason: 'insufficient_scope',
          rules: decision.missingRules,
          kid: decision.kid,
          jti: decision.context.jti,
          client_id: decision.context.client_id,
        });
      }
      return respond(input.kind, decision, options.httpApiSimpleResponses);
    } catch (error) {
      if (error instanceof TokenRejectedError) {
        const fault = error.reason === 'key_load_failed' ? { error: error.cause } : {};
        logger.info('request denied', { status: 401, reason: error.reason, detail: error.detail, event: input?.kind, ...fault });
      } else {
        // Fail closed: an unexpected fault denies the request instead of letting it through or becoming a 500.
        logger.error('authorizer failed', { status: 401, reason: 'internal_error', error, event: input?.kind });
      }
      // The cause is logged above and left off on purpose: API Gateway needs only the message,
      // and a jose cause can carry the token's claims into the runtime's error log.
      // eslint-disable-next-line preserve-caught-error
      throw new Error(UNAUTHORIZED);
    }
  };
}

function respond(kind: EventKind, decision: AuthorizationDecision, simpleResponses: boolean): AuthorizerResult {
  if (kind === 'http-v2' && simpleResponses) {
    return { isAuthorized: decision.routeAllowed, context: decision.context };
  }
  return { principalId: decision.principalId, policyDocument: decision.policy, context: decision.context };
}
