import { constants, sign, type KeyObject, type SignKeyObjectInput } from 'node:crypto';
import type { SigningAlgorithm } from '../config/config.js';

/** Smallest RSA modulus accepted for RS256 and PS256, in bits (RFC 7518 sections 3.3 and 3.5). */
const MIN_RSA_MODULUS_BITS = 2048;

/** PS256 salt length in bytes: the SHA-256 output size (RFC 7518 section 3.5). */
const PS256_SALT_BYTES = 32;

/**
 * Checks that `key` is a private key usable with `alg` and returns the `crypto.sign` input for
 * it. Throws a `TypeError` for a public key, a key of another type or curve, or an RSA modulus
 * under 2048 bits, the same keys jose rejects.
 */
export function prepareSigningKey(key: KeyObject, alg: SigningAlgorithm): SignKeyObjectInput {
  if (key.type !== 'private') throw new TypeError(`${alg} signing needs a private key, got a ${key.type} key`);
  const keyType = key.asymmetricKeyType;
  const details = key.asymmetricKeyDetails ?? {};

  if (alg === 'ES256') {
    if (keyType !== 'ec' || details.namedCurve !== 'prime256v1') {
      throw new TypeError(`ES256 signing needs a P-256 key, got ${keyType} ${details.namedCurve ?? ''}`.trimEnd());
    }
    // JWS carries ECDSA signatures as r || s (RFC 7518 section 3.4), not DER.
    return { key, dsaEncoding: 'ieee-p1363' };
  }

  const rsaTypes = alg === 'PS256' ? ['rsa', 'rsa-pss'] : ['rsa'];
  if (keyType === undefined || !rsaTypes.includes(keyType)) throw new TypeError(`${alg} signing needs an RSA key, got ${keyType}`);
  if ((details.modulusLength ?? 0) < MIN_RSA_MODULUS_BITS) {
    throw new TypeError(`${alg} signing needs an RSA modulus of at least ${MIN_RSA_MODULUS_BITS} bits, got ${details.modulusLength}`);
  }
  if (alg === 'PS256') return { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PS256_SALT_BYTES };
  return { key };
}

/**
 * Signs a JWS signing input with SHA-256 and returns the base64url signature. The signature
 * is computed on libuv's thread pool, so the event loop keeps serving other requests meanwhile.
 */
export function signJwsInput(signingInput: string, key: SignKeyObjectInput): Promise<string> {
  return new Promise((resolve, reject) => {
    sign('sha256', Buffer.from(signingInput, 'ascii'), key, (error, signature) => {
      if (error) reject(error);
      else resolve(signature.toString('base64url'));
    });
  });
}
