import { introspectRoute } from '../endpoints/introspect.js';
import { refreshRoute } from '../endpoints/refresh.js';
import { revokeRoute } from '../endpoints/revoke.js';
import { tokenRoute } from '../endpoints/token.js';
import { wellKnownRoute } from '../endpoints/well-known.js';
import { createHttpHandler, type ProxyHandler } from '../http/create-handler.js';
import { classifyStoreFault } from '../http/store-faults.js';
import { createLogger } from '../log/logger.js';
import { AccessTokenVerifier } from '../oauth/access-token-verifier.js';
import { createRefreshTokenGrant } from '../oauth/grants/refresh.js';
import { IntrospectionService } from '../oauth/introspection.js';
import { RevocationService } from '../oauth/revocation.js';
import { TokenService } from '../oauth/token-service.js';
import type { Dependencies } from './dependencies.js';

/** Builds the token endpoint's Lambda handler. */
export function createTokenHandler(deps: Dependencies): ProxyHandler {
  return createHttpHandler(createLogger('token'), tokenRoute(createTokenService(deps)), classifyStoreFault);
}

/** Creates the token service with every grant, the refresh grant included. The token and refresh functions share it. */
function createTokenService(deps: Dependencies): TokenService {
  return new TokenService(deps, { refresh_token: createRefreshTokenGrant(deps) });
}

/** Minimum time between two verification-key reloads caused by an unknown `kid`, in seconds. */
const KEY_RELOAD_COOLDOWN_SECONDS = 10;

function createAccessTokenVerifier(deps: Dependencies): AccessTokenVerifier {
  return new AccessTokenVerifier(deps.keys, {
    issuer: deps.config.issuer,
    reloadCooldownSeconds: KEY_RELOAD_COOLDOWN_SECONDS,
    now: deps.now,
  });
}

/** Builds the refresh function's Lambda handler (`POST /oauth2/refresh`). */
export function createRefreshHandler(deps: Dependencies): ProxyHandler {
  return createHttpHandler(createLogger('refresh'), refreshRoute(createTokenService(deps)), classifyStoreFault);
}

/** Builds the RFC 7009 revocation function's Lambda handler. */
export function createRevokeHandler(deps: Dependencies): ProxyHandler {
  const logger = createLogger('revoke');
  const service = new RevocationService({ ...deps, verifier: createAccessTokenVerifier(deps) });
  return createHttpHandler(logger, revokeRoute(service, logger), classifyStoreFault);
}

/** Builds the RFC 7662 introspection function's Lambda handler. */
export function createIntrospectHandler(deps: Dependencies): ProxyHandler {
  const service = new IntrospectionService({ ...deps, verifier: createAccessTokenVerifier(deps) });
  return createHttpHandler(createLogger('introspect'), introspectRoute(service), classifyStoreFault);
}

/** Builds the JWKS and metadata Lambda handler. */
export function createWellKnownHandler(deps: Dependencies): ProxyHandler {
  return createHttpHandler(createLogger('well-known'), wellKnownRoute(deps.config, deps.keys), classifyStoreFault);
}
