import type { AuthConfig } from '../config/config.js';
import type { KeyProvider, RefreshTokenKeyProvider } from '../keys/key-provider.js';
import type { ClientLookup } from './client-authentication.js';
import type { FormParameters } from './form-parameters.js';
import type { UserLockoutDependencies } from './lockout.js';
import type { Client, RefreshFamily, User } from './model.js';

/** A token request as the OAuth core receives it: the form parameters and the Authorization header. */
export interface TokenRequest {
  readonly params: FormParameters;
  readonly authorization?: string | undefined;
}

/** RFC 6749 section 5.1 successful response. */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
}

export interface UserStore {
  find(username: string): Promise<User | undefined>;
  replacePasswordHash(username: string, oldHash: string, newHash: string): Promise<void>;
}

export interface FamilyStore {
  create(family: RefreshFamily): Promise<void>;
  find(familyId: string): Promise<RefreshFamily | undefined>;
}

export interface TokenServiceDependencies {
  readonly config: AuthConfig;
  readonly clients: ClientLookup;
  readonly users: UserStore;
  readonly families: FamilyStore;
  /** Brute-force protection of the password grant. */
  readonly lockout: UserLockoutDependencies;
  readonly keys: KeyProvider;
  readonly refreshKeys: RefreshTokenKeyProvider;
  /** Clock in epoch milliseconds. */
  readonly now: () => number;
}

/** Input of a grant handler, built once the client is authenticated and allowed the grant. */
export interface GrantContext {
  readonly client: Client;
  readonly params: FormParameters;
  readonly deps: TokenServiceDependencies;
  readonly nowSeconds: number;
}

export type GrantHandler = (context: GrantContext) => Promise<TokenResponse>;
