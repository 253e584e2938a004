import type { SigningAlgorithm } from '../config/config.js';
import { TokenRejectedError } from './rejection.js';

/** The protected header of one of our access tokens, after the structural checks. */
export interface AccessTokenHeader {
  readonly alg: SigningAlgorithm;
  readonly kid: string;
}

const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * `kid` values our keys use: RFC 7638 thumbprints, which are base64url. Any other shape,
 * such as a path or an SQL fragment, is rejected without a key reload.
 */
const KID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Header parameters our tokens carry. Anything else is rejected: `jwk`, `jku`, `x5u` and
 * `x5c` would name a key chosen by the sender, `crit` and `b64` change how the token is
 * processed, and `cty` marks a nested token.
 */
const ALLOWED_HEADER_PARAMETERS = new Set(['alg', 'typ', 'kid']);

/** RFC 9068 section 2.1; `application/at+jwt` is the same media type. */
const ACCESS_TOKEN_TYPES = new Set(['at+jwt', 'application/at+jwt']);

/**
 * Checks the compact serialization and protected header of a token before any key lookup
 * or signature check. Throws a `TokenRejectedError` for an encrypted (JWE) or otherwise
 * malformed token, a header parameter outside `alg`, `typ` and `kid`, an algorithm outside
 * `algorithms`, or a `typ` other than `at+jwt`.
 */
export function checkTokenFormat(token: string, algorithms: readonly SigningAlgorithm[]): AccessTokenHeader {
  const parts = token.split('.');
  if (parts.length === 5) throw new TokenRejectedError('encrypted_token', 'five-part compact serialization (JWE)');
  if (parts.length !== 3) throw new TokenRejectedError('malformed_token', `${parts.length} parts instead of 3`);
  if (!parts.every((part) => BASE64URL.test(part) && part.length % 4 !== 1)) {
    throw new TokenRejectedError('malformed_token', 'a part is empty or not base64url');
  }

  const header = parseHeader(parts[0]!);
  for (const name of Object.keys(header)) {
    if (name === 'enc' || name === 'zip') throw new TokenRejectedError('encrypted_token', `header parameter "${name}"`);
    if (!ALLOWED_HEADER_PARAMETERS.has(name)) throw new TokenRejectedError('disallowed_header', `header parameter "${name}"`);
  }

  const { alg, typ, kid } = header;
  if (typeof alg !== 'string' || !(algorithms as readonly string[]).includes(alg)) {
    throw new TokenRejectedError('algorithm_not_allowed', `"alg" ${JSON.stringify(alg)?.slice(0, 20)}`);
  }
  if (typeof typ !== 'string' || !ACCESS_TOKEN_TYPES.has(typ.toLowerCase())) {
    throw new TokenRejectedError('invalid_typ', `"typ" is not at+jwt`);
  }
  if (typeof kid !== 'string' || !KID.test(kid)) throw new TokenRejectedError('malformed_token', '"kid" missing or not base64url');
  return { alg: alg as SigningAlgorithm, kid };
}

/**
 * Parsed protected headers by their encoded form. Tokens signed with the same key share one
 * header, so a first-seen token usually skips the base64url and JSON decoding. Only headers that
 * parse to a JSON object are kept, frozen, and the parameter checks above still run on every call.
 */
const parsedHeaders = new Map<string, Readonly<Record<string, unknown>>>();
const PARSED_HEADERS_MAX = 64;

function parseHeader(encoded: string): Readonly<Record<string, unknown>> {
  const known = parsedHeaders.get(encoded);
  if (known !== undefined) return known;
  const header = Object.freeze(decodeHeader(encoded));
  // Dropping the oldest entry keeps the map bounded when senders vary their headers.
  if (parsedHeaders.size >= PARSED_HEADERS_MAX) parsedHeaders.delete(parsedHeaders.keys().next().value as string);
  parsedHeaders.set(encoded, header);
  return header;
}

function decodeHeader(encoded: string): Record<string, unknown> {
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    throw new TokenRejectedError('malformed_token', 'protected header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new TokenRejectedError('malformed_token', 'protected header is not a JSON object');
  }
  return header as Record<string, unknown>;
}
