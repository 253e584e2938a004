import { issueAccessToken } from '../access-token.js';
import { invalidGrant, invalidRequest } from '../errors.js';
import type { RefreshFamily } from '../model.js';
import { hashPassword, verifyDummyPassword, verifyPassword } from '../password-hash.js';
import { buildRefreshToken, newFamilyId, newFamilySeed } from '../refresh-token.js';
import { formatScope, resolveScope } from '../scope.js';
import type { GrantContext, TokenResponse } from '../token-types.js';

const INVALID_CREDENTIALS = 'the username or password is incorrect';

/**
 * RFC 6749 section 4.3. Unknown, disabled and wrong-password cases all hash a password and
 * end in the same `invalid_grant`, so neither the response nor its timing reveals which it was.
 * Success starts a new refresh-token family.
 */
export async function passwordGrant({ client, params, deps, nowSeconds }: GrantContext): Promise<TokenResponse> {
  const username = params.get('username');
  const password = params.get('password');
  if (username === undefined) throw invalidRequest('missing required parameter "username"');
  if (password === undefined) throw invalidRequest('missing required parameter "password"');
  const scope = formatScope(resolveScope(params.get('scope'), client.scopes));

  const { config } = deps;
  const user = await deps.users.find(username);
  if (user === undefined) {
    await verifyDummyPassword(password, config.scrypt);
    throw invalidGrant(INVALID_CREDENTIALS, 'unknown user');
  }
  const check = await verifyPassword(password, user.passwordHash, config.scrypt);
  if (!check.valid) throw invalidGrant(INVALID_CREDENTIALS, `wrong password for user ${user.sub}`);
  if (user.disabled) throw invalidGrant(INVALID_CREDENTIALS, `user ${user.sub} is disabled`);

  if (check.needsRehash) {
    await deps.users.replacePasswordHash(user.username, user.passwordHash, await hashPassword(password, config.scrypt));
  }

  const audience = client.audience ?? config.defaultAudience;
  const family: RefreshFamily = {
    familyId: newFamilyId(),
    clientId: client.clientId,
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
