import { recordRefreshTokenReuse } from '../../metrics/metrics.js';
import { issueAccessToken } from '../access-token.js';
import { invalidGrant, invalidRequest } from '../errors.js';
import { revokeFamily, type FamilyRevocationDependencies } from '../family-revocation.js';
import type { Client, RefreshFamily, User } from '../model.js';
import { familyBelongsTo, familyState, findRefreshTokenFamily, type FamilyReader } from '../refresh-family-lookup.js';
import { buildRefreshToken } from '../refresh-token.js';
import { formatScope, parseScope, resolveScope } from '../scope.js';
import type { GrantContext, GrantHandler, TokenResponse } from '../token-types.js';

/** One `error_description` for every rejected refresh token, so the response does not say why. */
const INVALID_REFRESH_TOKEN = 'the refresh token is invalid, expired or revoked';

/** The family store operations the refresh grant uses. */
export interface RotatingFamilyStore extends FamilyReader {
  rotate(familyId: string, presentedGeneration: number, nowSeconds: number): Promise<RefreshFamily | undefined>;
}

export interface RefreshGrantDependencies extends FamilyRevocationDependencies {
  readonly families: RotatingFamilyStore & FamilyRevocationDependencies['families'];
  readonly users: { find(username: string): Promise<User | undefined> };
}

/**
 * Outcome of presenting a non-current generation: a retry of the request that rotated it
 * (inside the grace window), or reuse of a rotated token.
 */
type StaleOutcome = { readonly kind: 'duplicate'; readonly family: RefreshFamily } | { readonly kind: 'reuse' };

/**
 * Classifies a token older than the family's current generation.
 *
 * Only the generation rotated out last can be a duplicate, and only while
 * `rotatedAt + graceSeconds` lies in the future (one-second resolution). Anything else is
 * reuse. That includes a request that lost the rotation race with grace 0: RFC 9700 section
 * 4.14.2 treats any presentation of an invalidated refresh token as a possible theft,
 * because the server cannot tell the legitimate client from an attacker. Treating lost races
 * as harmless would let an attacker who races the victim go undetected. It would also make
 * the outcome depend on whether the loser read the record before or after the winner's
 * write. Clients that refresh concurrently need a grace window of a few seconds.
 */
function classifyStale(presentedGeneration: number, current: RefreshFamily, nowSeconds: number, graceSeconds: number): StaleOutcome {
  const isPrevious = presentedGeneration === current.generation - 1;
  const inGrace = graceSeconds > 0 && current.rotatedAt !== undefined && nowSeconds < current.rotatedAt + graceSeconds;
  return isPrevious && inGrace ? { kind: 'duplicate', family: current } : { kind: 'reuse' };
}

/**
 * The scope of the new access token: the requested scope, which must lie within the
 * original grant (RFC 6749 section 6) and within what the client may still request. The
 * family keeps its original scope, so a later refresh can ask for all of it again.
 */
function narrowScope(requested: string | undefined, family: RefreshFamily, client: Client): string {
  const clientScopes = new Set(client.scopes);
  const allowed = parseScopeOrEmpty(family.scope).filter((token) => clientScopes.has(token));
  return formatScope(resolveScope(requested, allowed));
}

function parseScopeOrEmpty(scope: string): string[] {
  return scope === '' ? [] : parseScope(scope);
}

/** Rejects refresh tokens of users who are gone, disabled or were replaced by a new account with the same name. */
async function checkUser(deps: RefreshGrantDependencies, family: RefreshFamily): Promise<void> {
  const user = family.username === undefined ? undefined : await deps.users.find(family.username);
  if (user === undefined || user.sub !== family.sub) {
    throw invalidGrant(INVALID_REFRESH_TOKEN, `family ${family.familyId}: user ${family.sub} not found`);
  }
  if (user.disabled) throw invalidGrant(INVALID_REFRESH_TOKEN, `family ${family.familyId}: user ${family.sub} is disabled`);
}

/**
 * Creates the RFC 6749 section 6 refresh grant with rotation and reuse detection.
 *
 * A current token is rotated by one conditional write on the family record
 * (`FamilyRepository.rotate`), so among concurrent requests exactly one wins. A loser and
 * any later presentation of a rotated token are classified by {@link classifyStale}:
 * inside the grace window they receive the same successor token again, which the server
 * derives from the family seed, so no token is ever stored. Otherwise the whole family is
 * revoked together with its access tokens.
 */
export function createRefreshTokenGrant(deps: RefreshGrantDependencies): GrantHandler {
  return async ({ client, params, deps: tokenDeps, nowSeconds }: GrantContext): Promise<TokenResponse> => {
    const presented = params.get('refresh_token');
    if (presented === undefined) throw invalidRequest('missing required parameter "refresh_token"');
    const { config } = tokenDeps;

    const refreshKey = await tokenDeps.refreshKeys.getRefreshTokenKey();
    const found = await findRefreshTokenFamily(presented, deps.families, refreshKey);
    if (found === undefined) throw invalidGrant(INVALID_REFRESH_TOKEN, 'refresh token is malformed or unknown');
    const { parts, family } = found;

    // Binding comes first, so another client cannot trigger reuse detection on a family it does not own.
    if (!familyBelongsTo(family, client)) {
      throw invalidGrant(INVALID_REFRESH_TOKEN, `family ${family.familyId} belongs to another client than "${client.clientId}"`);
    }
    const state = familyState(family, nowSeconds, config.refreshTokenIdleSeconds);
    if (state !== 'active') throw invalidGrant(INVALID_REFRESH_TOKEN, `family ${family.familyId} is ${state}`);
    const scope = narrowScope(params.get('scope'), family, client);
    await checkUser(deps, family);
    // Load the signing key before the rotation, so a key-store fault fails the request while
    // the presented token still works. After the write, signing uses the cached key.
    await tokenDeps.keys.getSigningKey();

    let issued: RefreshFamily;
    const rotated = parts.generation === family.generation
      ? await deps.families.rotate(family.familyId, parts.generation, nowSeconds)
      : undefined;
    if (rotated !== undefined) {
      issued = rotated;
    } else {
      // Either the token was already stale, or a concurrent request rotated the family
      // between this request's read and its write. Decide on the record as it is now.
      const current = parts.generation === family.generation ? await deps.families.find(family.familyId) : family;
      const currentState = current === undefined ? 'expired' : familyState(current, nowSeconds, config.refreshTokenIdleSeconds);
      if (current === undefined || currentState !== 'active') {
        throw invalidGrant(INVALID_REFRESH_TOKEN, `family ${family.familyId} is ${currentState}`);
      }
      const outcome = classifyStale(parts.generation, current, nowSeconds, config.refreshReuseGraceSeconds);
      if (outcome.kind === 'reuse') {
        await revokeFamily(deps, family.familyId, 'refresh_token_reuse', nowSeconds);
        recordRefreshTokenReuse();
        throw invalidGrant(
          INVALID_REFRESH_TOKEN,
          `refresh token reuse: family ${family.familyId} generation ${parts.generation} presented, current ${current.generation}; family revoked`,
        );
      }
      issued = outcome.family;
    }

    const accessToken = await issueAccessToken(tokenDeps.keys, {
      issuer: config.issuer,
      subject: issued.sub,
      audience: issued.audience,
      clientId: client.clientId,
      scope,
      lifetimeSeconds: config.accessTokenTtlSeconds,
      sessionId: issued.familyId,
      nowSeconds,
    });
    return {
      access_token: accessToken.token,
      token_type: 'Bearer',
      expires_in: accessToken.expiresIn,
      scope,
      refresh_token: buildRefreshToken(refreshKey, issued.familyId, issued.generation, issued.seed),
    };
  };
}
