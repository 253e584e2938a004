import type { KeyObject } from 'node:crypto';
import { errors, jwtVerify, type JWTHeaderParameters } from 'jose';
import { SUPPORTED_SIGNING_ALGORITHMS } from '../config/config.js';
import type { VerificationKeySource } from '../keys/key-provider.js';
import { ACCESS_TOKEN_TYPE } from './access-token.js';

/** The claims of a verified access token that revocation and introspection use. */
export interface AccessTokenClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string | string[];
  readonly client_id: string;
  readonly scope: string;
  readonly jti: string;
  readonly iat: number;
  readonly exp: number;
  /** Refresh-token family id, present on tokens issued from a family. */
  readonly sid?: string | undefined;
}

export interface AccessTokenVerifierOptions {
  /** The only accepted `iss`. */
  readonly issuer: string;
  /** Minimum time between two key reloads caused by an unknown `kid`, in seconds. */
  readonly reloadCooldownSeconds: number;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;
}

const REQUIRED_CLAIMS = ['iss', 'sub', 'aud', 'client_id', 'jti', 'iat', 'exp'];

/**
 * Verifies this server's own JWT access tokens (RFC 9068) for revocation and
 * introspection: signature by a published verification key whose `alg` matches the
 * header, `typ: at+jwt`, issuer, and unexpired `exp`. No audience is checked, because
 * introspecting and revoking clients are usually not the token's audience. Deny-list
 * checks are left to the caller.
 */
export class AccessTokenVerifier {
  private lastReload = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly keys: VerificationKeySource,
    private readonly options: AccessTokenVerifierOptions,
  ) {}

  /**
   * Returns the claims of a valid access token, or undefined for anything else (malformed,
   * wrong signature, expired, another issuer). Failures to load keys are thrown, so an
   * outage is not mistaken for an invalid token.
   */
  async verify(token: string): Promise<AccessTokenClaims | undefined> {
    try {
      const { payload } = await jwtVerify(token, (header) => this.findKey(header), {
        issuer: this.options.issuer,
        typ: ACCESS_TOKEN_TYPE,
        algorithms: [...SUPPORTED_SIGNING_ALGORITHMS],
        requiredClaims: REQUIRED_CLAIMS,
        currentDate: new Date(this.options.now()),
      });
      if (typeof payload.client_id !== 'string' || (payload.scope !== undefined && typeof payload.scope !== 'string')) {
        return undefined;
      }
      if (payload.sid !== undefined && typeof payload.sid !== 'string') return undefined;
      return {
        iss: String(payload.iss),
        sub: String(payload.sub),
        aud: payload.aud as string | string[],
        client_id: payload.client_id,
        scope: payload.scope ?? '',
        jti: String(payload.jti),
        iat: Number(payload.iat),
        exp: Number(payload.exp),
        sid: payload.sid,
      };
    } catch (error) {
      if (error instanceof errors.JOSEError) return undefined;
      throw error;
    }
  }

  private async findKey(header: JWTHeaderParameters): Promise<KeyObject> {
    const kid = header.kid;
    if (kid === undefined) throw new errors.JWKSNoMatchingKey('access token has no "kid" header');

    let key = (await this.keys.getVerificationKeys()).find((candidate) => candidate.kid === kid);
    const nowMs = this.options.now();
    if (key === undefined && nowMs - this.lastReload >= this.options.reloadCooldownSeconds * 1000) {
      // The key may have been published after the provider filled its cache, so read the keys
      // again, at most once per cooldown.
      this.lastReload = nowMs;
      this.keys.invalidate();
      key = (await this.keys.getVerificationKeys()).find((candidate) => candidate.kid === kid);
    }
    if (key === undefined) throw new errors.JWKSNoMatchingKey('no verification key matches the "kid" header');
    // Each key verifies only with its own algorithm, so no token can pick a weaker one.
    if (header.alg !== key.alg) throw new errors.JOSEAlgNotAllowed('"alg" header does not match the key');
    return key.publicKey;
  }
}
