import { recordTokenIssued } from '../metrics/metrics.js';
import { authenticateClient, extractClientCredentials } from './client-authentication.js';
import { invalidRequest, OAuthError } from './errors.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { passwordGrant } from './grants/password.js';
import { isGrantType, type GrantType } from './model.js';
import type { GrantHandler, TokenRequest, TokenResponse, TokenServiceDependencies } from './token-types.js';

/**
 * The token endpoint (RFC 6749 section 3.2): authenticates the client, checks that it may use
 * the requested grant, and runs the grant. Errors are thrown as `OAuthError`.
 */
export class TokenService {
  private readonly grants: Partial<Record<GrantType, GrantHandler>>;

  constructor(
    private readonly deps: TokenServiceDependencies,
    extraGrants: Partial<Record<GrantType, GrantHandler>> = {},
  ) {
    this.grants = { client_credentials: clientCredentialsGrant, password: passwordGrant, ...extraGrants };
  }

  async token(request: TokenRequest, defaultGrantType?: GrantType): Promise<TokenResponse> {
    const { params } = request;
    const grantType = params.get('grant_type') ?? defaultGrantType;
    if (grantType === undefined) throw invalidRequest('missing required parameter "grant_type"');

    const credentials = extractClientCredentials(request.authorization, params);
    const client = await authenticateClient(this.deps.clients, credentials);

    const handler = isGrantType(grantType) ? this.grants[grantType] : undefined;
    if (handler === undefined || !isGrantType(grantType)) {
      throw new OAuthError('unsupported_grant_type', 'the grant type is not supported', {
        detail: `grant_type of length ${grantType.length}`,
      });
    }
    if (!client.grantTypes.includes(grantType)) {
      throw new OAuthError('unauthorized_client', 'the client is not allowed to use this grant type', {
        detail: `client "${client.clientId}" lacks grant ${grantType}`,
      });
    }

    const response = await handler({ client, params, deps: this.deps, nowSeconds: Math.floor(this.deps.now() / 1000) });
    recordTokenIssued(grantType);
    return response;
  }
}
