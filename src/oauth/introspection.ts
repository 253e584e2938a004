import type { RefreshTokenKeyProvider } from '../keys/key-provider.js';
import type { AccessTokenVerifier } from './access-token-verifier.js';
import { authenticateClient, extractClientCredentials, type ClientLookup } from './client-authentication.js';
import { invalidClient, invalidRequest } from './errors.js';
import { isPublicClient, type Client, type User } from './model.js';
import { familyBelongsTo, familyDeadline, familyState, findRefreshTokenFamily, type FamilyReader } from './refresh-family-lookup.js';
import type { TokenRequest } from './token-types.js';
import { tokenSearchOrder } from './token-type-hint.js';

export interface IntrospectionDependencies {
  readonly config: { readonly issuer: string; readonly refreshTokenIdleSeconds: number };
  readonly clients: ClientLookup;
  readonly users: { find(username: string): Promise<User | undefined> };
  readonly families: FamilyReader;
  readonly denyList: {
    findDenied(entries: readonly { kind: 'jti' | 'sid'; id: string }[], nowSeconds: number): Promise<readonly unknown[]>;
  };
  readonly refreshKeys: RefreshTokenKeyProvider;
  readonly verifier: AccessTokenVerifier;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;
}

/** RFC 7662 section 2.2 members of an active token. */
export interface ActiveTokenResponse {
  readonly active: true;
  readonly scope: string;
  readonly client_id: string;
  readonly username?: string | undefined;
  /** `Bearer` for access tokens; absent for refresh tokens, which have no RFC 6749 token type. */
  readonly token_type?: 'Bearer' | undefined;
  readonly exp: number;
  readonly iat: number;
  readonly sub: string;
  readonly aud: string | string[];
  readonly iss: string;
  readonly jti?: string | undefined;
  /** Refresh-token family id. */
  readonly sid?: string | undefined;
}

export type IntrospectionResponse = ActiveTokenResponse | { readonly active: false };

const INACTIVE: IntrospectionResponse = { active: false };

/**
 * RFC 7662 token introspection, for confidential clients only.
 *
 * Who may introspect what: any confidential client may introspect any access token,
 * because resource servers are usually clients other than the one the token was issued
 * to. A refresh token is described only to the client it was issued to, since no other
 * party has a reason to hold it. For anything else the response is `{"active": false}`.
 * Introspection never changes state, so presenting a rotated refresh token here is not
 * treated as reuse.
 */
export class IntrospectionService {
  constructor(private readonly deps: IntrospectionDependencies) {}

  async introspect(request: TokenRequest): Promise<IntrospectionResponse> {
    const { params } = request;
    const client = await authenticateClient(this.deps.clients, extractClientCredentials(request.authorization, params));
    if (isPublicClient(client)) throw invalidClient(`public client "${client.clientId}" may not introspect`);
    const token = params.get('token');
    if (token === undefined) throw invalidRequest('missing required parameter "token"');

    const nowSeconds = Math.floor(this.deps.now() / 1000);
    for (const kind of tokenSearchOrder(params.get('token_type_hint'), 'ignore')) {
      const response = kind === 'refresh_token'
        ? await this.describeRefreshToken(client, token, nowSeconds)
        : await this.describeAccessToken(token, nowSeconds);
      if (response !== undefined) return response;
    }
    return INACTIVE;
  }

  /** Returns undefined when the token is not a refresh token of this server, so the search goes on. */
  private async describeRefreshToken(client: Client, token: string, nowSeconds: number): Promise<IntrospectionResponse | undefined> {
    const refreshKey = await this.deps.refreshKeys.getRefreshTokenKey();
    const found = await findRefreshTokenFamily(token, this.deps.families, refreshKey);
    if (found === undefined) return undefined;
    const { parts, family } = found;

    const idleSeconds = this.deps.config.refreshTokenIdleSeconds;
    if (!familyBelongsTo(family, client)) return INACTIVE;
    if (familyState(family, nowSeconds, idleSeconds) !== 'active') return INACTIVE;
    // Only the current generation is active, even while the grace window still returns the
    // successor to a retry of the previous one.
    if (parts.generation !== family.generation) return INACTIVE;
    const user = family.username === undefined ? undefined : await this.deps.users.find(family.username);
    if (user === undefined || user.sub !== family.sub || user.disabled) return INACTIVE;

    return {
      active: true,
      scope: family.scope,
      client_id: family.clientId,
      username: family.username,
      exp: familyDeadline(family, idleSeconds),
      iat: family.rotatedAt ?? family.createdAt,
      sub: family.sub,
      aud: family.audience,
      iss: this.deps.config.issuer,
      sid: family.familyId,
    };
  }

  private async describeAccessToken(token: string, nowSeconds: number): Promise<IntrospectionResponse | undefined> {
    const claims = await this.deps.verifier.verify(token);
    if (claims === undefined) return undefined;

    const entries: { kind: 'jti' | 'sid'; id: string }[] = [{ kind: 'jti', id: claims.jti }];
    if (claims.sid !== undefined) entries.push({ kind: 'sid', id: claims.sid });
    if ((await this.deps.denyList.findDenied(entries, nowSeconds)).length > 0) return INACTIVE;
    // A deleted client's tokens are reported inactive even though their signature is still valid.
    if ((await this.deps.clients.find(claims.client_id)) === undefined) return INACTIVE;

    return {
      active: true,
      scope: claims.scope,
      client_id: claims.client_id,
      token_type: 'Bearer',
      exp: claims.exp,
      iat: claims.iat,
      sub: claims.sub,
      aud: claims.aud,
      iss: claims.iss,
      jti: claims.jti,
      sid: claims.sid,
    };
  }
}
