import type { RefreshTokenKeyProvider } from '../keys/key-provider.js';
import { MAX_CLOCK_TOLERANCE_SECONDS } from './clock-tolerance.js';
import type { AccessTokenVerifier } from './access-token-verifier.js';
import { authenticateClient, extractClientCredentials, type ClientLookup } from './client-authentication.js';
import { invalidRequest } from './errors.js';
import { revokeFamily, type FamilyRevocationDependencies } from './family-revocation.js';
import { isPublicClient, type Client } from './model.js';
import { familyState, findRefreshTokenFamily, type FamilyReader } from './refresh-family-lookup.js';
import type { TokenRequest } from './token-types.js';
import { tokenSearchOrder } from './token-type-hint.js';

export interface RevocationDependencies extends FamilyRevocationDependencies {
  readonly config: FamilyRevocationDependencies['config'] & { readonly refreshTokenIdleSeconds: number };
  readonly clients: ClientLookup;
  readonly families: FamilyRevocationDependencies['families'] & FamilyReader;
  readonly refreshKeys: RefreshTokenKeyProvider;
  readonly verifier: AccessTokenVerifier;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;
}

/** Outcome of a revocation request, for the log. Never contains the token. */
export interface RevocationResult {
  readonly outcome: 'family_revoked' | 'access_token_revoked' | 'already_inactive' | 'unknown_token' | 'foreign_token_ignored';
  readonly familyId?: string;
  readonly jti?: string;
}

/**
 * Enforces that a client revokes only its own tokens (RFC 7009 section 2.1). A
 * confidential client gets `invalid_request`, as node-oidc-provider does. A public
 * client proves only a client id anyone can send, so it gets the same 200 as for an
 * unknown token and learns nothing about whose token it holds.
 */
function checkOwner(client: Client, ownerClientId: string): 'owner' | 'ignore' {
  if (ownerClientId === client.clientId) return 'owner';
  if (isPublicClient(client)) return 'ignore';
  throw invalidRequest('the client is not authorized to revoke this token', `token of client "${ownerClientId}" presented by "${client.clientId}"`);
}

/**
 * RFC 7009 token revocation. Revoking a refresh token revokes its whole family and the
 * family's access tokens. Revoking an access token deny-lists its `jti` until its `exp`.
 * An unknown, expired, malformed or already revoked token is not an error (section 2.2).
 */
export class RevocationService {
  constructor(private readonly deps: RevocationDependencies) {}

  async revoke(request: TokenRequest): Promise<RevocationResult> {
    const { params } = request;
    const client = await authenticateClient(this.deps.clients, extractClientCredentials(request.authorization, params));
    const token = params.get('token');
    if (token === undefined) throw invalidRequest('missing required parameter "token"');
    const order = tokenSearchOrder(params.get('token_type_hint'), 'reject');
    const nowSeconds = Math.floor(this.deps.now() / 1000);

    for (const kind of order) {
      const result = kind === 'refresh_token'
        ? await this.revokeRefreshToken(client, token, nowSeconds)
        : await this.revokeAccessToken(client, token, nowSeconds);
      if (result !== undefined) return result;
    }
    return { outcome: 'unknown_token' };
  }

  private async revokeRefreshToken(client: Client, token: string, nowSeconds: number): Promise<RevocationResult | undefined> {
    const refreshKey = await this.deps.refreshKeys.getRefreshTokenKey();
    const found = await findRefreshTokenFamily(token, this.deps.families, refreshKey);
    if (found === undefined) return undefined;
    const { family } = found;
    if (checkOwner(client, family.clientId) === 'ignore') return { outcome: 'foreign_token_ignored', familyId: family.familyId };

    // An idle family is still revoked: its access tokens may be alive. An expired or
    // revoked one has nothing left to revoke that the deny-list does not already cover.
    const state = familyState(family, nowSeconds, this.deps.config.refreshTokenIdleSeconds);
    if (state === 'expired' || state === 'revoked') return { outcome: 'already_inactive', familyId: family.familyId };

    await revokeFamily(this.deps, family.familyId, 'revoked_by_client', nowSeconds);
    return { outcome: 'family_revoked', familyId: family.familyId };
  }

  private async revokeAccessToken(client: Client, token: string, nowSeconds: number): Promise<RevocationResult | undefined> {
    const claims = await this.deps.verifier.verify(token);
    if (claims === undefined) return undefined;
    if (checkOwner(client, claims.client_id) === 'ignore') return { outcome: 'foreign_token_ignored', jti: claims.jti };

    const denyUntil = claims.exp + MAX_CLOCK_TOLERANCE_SECONDS;
    await this.deps.denyList.add({ kind: 'jti', id: claims.jti }, denyUntil, 'revoked_by_client', nowSeconds);
    return { outcome: 'access_token_revoked', jti: claims.jti };
  }
}
