import type { AuthConfig } from '../config/config.js';
import type { HttpRoute } from '../http/create-handler.js';
import { jsonResponse } from '../http/responses.js';
import type { KeyProvider } from '../keys/key-provider.js';
import { buildJwks, buildServerMetadata, ENDPOINT_PATHS } from '../oauth/discovery.js';
import { OAuthError } from '../oauth/errors.js';

/**
 * Cache lifetimes. The JWKS may be cached for 5 minutes because a new signing key is
 * published before any token signed with it can reach a verifier that has to refetch: verifiers
 * reload on an unknown `kid`. Metadata changes only with a deployment.
 */
const JWKS_CACHE_CONTROL = 'public, max-age=300';
const METADATA_CACHE_CONTROL = 'public, max-age=3600';

/** Public documents, readable from browsers on any origin. */
const CORS_HEADERS = { 'Access-Control-Allow-Origin': '*' };

/** `GET /.well-known/jwks.json` and `GET /.well-known/oauth-authorization-server`. */
export function wellKnownRoute(config: AuthConfig, keys: KeyProvider): HttpRoute {
  const metadata = buildServerMetadata(config);
  return async (request) => {
    if (request.path.endsWith(ENDPOINT_PATHS.jwks)) {
      return jsonResponse(200, await buildJwks(keys), { 'Cache-Control': JWKS_CACHE_CONTROL, ...CORS_HEADERS });
    }
    if (request.path.endsWith(ENDPOINT_PATHS.metadata) || request.path.endsWith(ENDPOINT_PATHS.openidConfiguration)) {
      return jsonResponse(200, metadata, { 'Cache-Control': METADATA_CACHE_CONTROL, ...CORS_HEADERS });
    }
    throw new OAuthError('invalid_request', 'not found', { status: 404, detail: `no well-known document at ${request.path}` });
  };
}
