import type { JWK } from 'jose';
import type { AuthConfig } from '../config/config.js';
import type { KeyProvider } from '../keys/key-provider.js';

/** Paths of the endpoints, relative to the issuer URL. */
export const ENDPOINT_PATHS = {
  token: '/oauth2/token',
  refresh: '/oauth2/refresh',
  revocation: '/oauth2/revoke',
  introspection: '/oauth2/introspect',
  jwks: '/.well-known/jwks.json',
  metadata: '/.well-known/oauth-authorization-server',
  /** The same metadata at the OpenID Connect discovery path, where API Gateway's JWT authorizer looks for `jwks_uri`. */
  openidConfiguration: '/.well-known/openid-configuration',
} as const;

const CLIENT_AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'];

/** RFC 8414 authorization server metadata. */
export function buildServerMetadata(config: AuthConfig): Record<string, unknown> {
  const url = (path: string): string => `${config.issuer}${path}`;
  return {
    issuer: config.issuer,
    token_endpoint: url(ENDPOINT_PATHS.token),
    jwks_uri: url(ENDPOINT_PATHS.jwks),
    revocation_endpoint: url(ENDPOINT_PATHS.revocation),
    introspection_endpoint: url(ENDPOINT_PATHS.introspection),
    grant_types_supported: ['client_credentials', 'password', 'refresh_token'],
    // No authorization endpoint, so no response type is supported.
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    revocation_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS,
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    // Algorithms of the access tokens this server signs.
    access_token_signing_alg_values_supported: [config.signingAlgorithm],
  };
}

/** Builds the JWK Set: public members of the current and still-valid previous keys. */
export async function buildJwks(keys: KeyProvider): Promise<{ keys: JWK[] }> {
  const verificationKeys = await keys.getVerificationKeys();
  return { keys: verificationKeys.map((key) => ({ ...key.jwk })) };
}
