import { issueAccessToken } from '../access-token.js';
import { OAuthError } from '../errors.js';
import { isPublicClient } from '../model.js';
import { formatScope, resolveScope } from '../scope.js';
import type { GrantContext, TokenResponse } from '../token-types.js';

/** RFC 6749 section 4.4: the client acts on its own behalf, so `sub` is its client id. No refresh token is issued (section 4.4.3). */
export async function clientCredentialsGrant({ client, params, deps, nowSeconds }: GrantContext): Promise<TokenResponse> {
  if (isPublicClient(client)) {
    throw new OAuthError('unauthorized_client', 'the client credentials grant requires a confidential client', {
      detail: `public client "${client.clientId}"`,
    });
  }
  const scope = formatScope(resolveScope(params.get('scope'), client.scopes));
  const accessToken = await issueAccessToken(deps.keys, {
    issuer: deps.config.issuer,
    subject: client.clientId,
    audience: client.audience ?? deps.config.defaultAudience,
    clientId: client.clientId,
    scope,
    lifetimeSeconds: deps.config.accessTokenTtlSeconds,
    nowSeconds,
  });
  return { access_token: accessToken.token, token_type: 'Bearer', expires_in: accessToken.expiresIn, scope };
}
