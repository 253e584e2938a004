import { tokenRoute } from '../endpoints/token.js';
import { wellKnownRoute } from '../endpoints/well-known.js';
import { createHttpHandler, type ProxyHandler } from '../http/create-handler.js';
import { createLogger } from '../log/logger.js';
import { TokenService } from '../oauth/token-service.js';
import type { Dependencies } from './dependencies.js';

/** Builds the token endpoint's Lambda handler. */
export function createTokenHandler(deps: Dependencies): ProxyHandler {
  const service = new TokenService(deps);
  return createHttpHandler(createLogger('token'), tokenRoute(service));
}

/** Builds the JWKS and metadata Lambda handler. */
export function createWellKnownHandler(deps: Dependencies): ProxyHandler {
  return createHttpHandler(createLogger('well-known'), wellKnownRoute(deps.config, deps.keys));
}
