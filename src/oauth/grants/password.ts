import { issueAccessToken } from '../access-token.js';
import { invalidRequest } from '../errors.js';
import { authenticateUser } from '../lockout-user.js';
import type { RefreshFamily } from '../model.js';
import { hashPassword } from '../password-hash.js';
import { buildRefreshToken, newFamilyId, newFamilySeed } from '../refresh-token.js';
import { formatScope, resolveScope } from '../scope.js';
import type { GrantContext, TokenResponse } from '../token-types.js';

/**
 * RFC 6749 section 4.3. Unknown, disabled, locked and wrong-password cases all hash a
 * password, count a failure and end in the same `invalid_grant`, so neither the response nor
 * its timing reveals which it was (`authenticateUser`). Success starts a new refresh-token family.
 */
export async function passwordGrant({ client, params, deps, nowSeconds }: GrantContext): Promise<TokenResponse> {
  const username = params.get('username');
  const password = params.get('password');
  if (username === undefined) throw invalidRequest('missing required parameter "username"');
  if (password === undefined) throw invalidRequest('missing required parameter "password"');
  const scope = formatScope(resolveScope(params.get('scope'), client.scopes));

  const { config } = deps;
  const { user, needsRehash } = await authenticateUser(deps, username, password, nowSeconds);

  if (needsRehash) {
    await deps.users.replacePasswordHash(user.username, user.passwordHash, await hashPassword(password, config.scrypt));
  }

  const audience = client.audience ?? config.defaultAudience;
  const family: RefreshFamily = {
    familyId: newFamilyId(),
    clientId: client.clientId,
    clientInstanceId: client.instanceId,
    sub: user.sub,
    username: user.username,
    scope,
    audience,
    generation: 1,
    seed: newFamilySeed(),
    createdAt: nowSeconds,
    lastUsedAt: nowSeconds,
    expiresAt: nowSeconds + config.refreshTokenTtlSeconds,
  };
  const refreshKey = await deps.refreshKeys.getRefreshTokenKey();
  // The family is stored before any token is returned, so no refresh token exists without its record.
  await deps.families.create(family);

  const accessToken = await issueAccessToken(deps.keys, {
    issuer: config.issuer,
    subject: user.sub,
    audience,
    clientId: client.clientId,
    scope,
    lifetimeSeconds: config.accessTokenTtlSeconds,
    sessionId: family.familyId,
    nowSeconds,
  });
  return {
    access_token: accessToken.token,
    token_type: 'Bearer',
    expires_in: accessToken.expiresIn,
    scope,
    refresh_token: buildRefreshToken(refreshKey, family.familyId, family.generation, family.seed),
  };
}
