import { constants, verify, type VerifyKeyObjectInput } from 'node:crypto';
import type { VerificationKey } from '../keys/key-provider.js';

/** Smallest RSA modulus accepted for RS256 and PS256, in bits (RFC 7518 sections 3.3 and 3.5). */
const MIN_RSA_MODULUS_BITS = 2048;

/** PS256 salt length in bytes: the SHA-256 output size (RFC 7518 section 3.5). */
const PS256_SALT_BYTES = 32;

/** ES256 signature length in bytes: r || s, 32 bytes each (RFC 7518 section 3.4). */
const ES256_SIGNATURE_BYTES = 64;

/** The `crypto.verify` input of a checked key, and the signature length that key produces. */
export interface PreparedVerificationKey {
  readonly input: VerifyKeyObjectInput;
  readonly signatureBytes: number;
}

const prepared = new WeakMap<VerificationKey, PreparedVerificationKey>();

/**
 * Checks that `key.publicKey` is a public key usable with `key.alg` and returns its
 * `crypto.verify` input, computed once per key object. Throws a `TypeError` for a private key,
 * a key of another type or curve, or an RSA modulus under 2048 bits, the keys jose rejected.
 */
export function prepareVerificationKey(key: VerificationKey): PreparedVerificationKey {
  const known = prepared.get(key);
  if (known !== undefined) return known;

  const { alg, publicKey } = key;
  if (publicKey.type !== 'public') throw new TypeError(`${alg} verification needs a public key, got a ${publicKey.type} key (kid ${key.kid})`);
  const keyType = publicKey.asymmetricKeyType;
  const details = publicKey.asymmetricKeyDetails ?? {};

  let result: PreparedVerificationKey;
  if (alg === 'ES256') {
    if (keyType !== 'ec' || details.namedCurve !== 'prime256v1') {
      throw new TypeError(`ES256 verification needs a P-256 key, got ${keyType} ${details.namedCurve ?? ''} (kid ${key.kid})`);
    }
    // JWS carries ECDSA signatures as r || s, not DER.
    result = { input: { key: publicKey, dsaEncoding: 'ieee-p1363' }, signatureBytes: ES256_SIGNATURE_BYTES };
  } else {
    const rsaTypes = alg === 'PS256' ? ['rsa', 'rsa-pss'] : ['rsa'];
    if (keyType === undefined || !rsaTypes.includes(keyType)) throw new TypeError(`${alg} verification needs an RSA key, got ${keyType} (kid ${key.kid})`);
    const modulusBits = details.modulusLength ?? 0;
    if (modulusBits < MIN_RSA_MODULUS_BITS) {
      throw new TypeError(`${alg} verification needs an RSA modulus of at least ${MIN_RSA_MODULUS_BITS} bits, got ${modulusBits} (kid ${key.kid})`);
    }
    const input: VerifyKeyObjectInput =
      alg === 'PS256' ? { key: publicKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: PS256_SALT_BYTES } : { key: publicKey, padding: constants.RSA_PKCS1_PADDING };
    result = { input, signatureBytes: Math.ceil(modulusBits / 8) };
  }
  prepared.set(key, result);
  return result;
}

/**
 * Returns true when `signature` (base64url, already checked to be base64url) is a valid
 * SHA-256 signature of `signingInput` (ASCII) under `key`. A signature of the wrong length,
 * or one OpenSSL cannot parse, returns false.
 */
export function verifyJwsSignature(signingInput: string, signature: string, key: PreparedVerificationKey): boolean {
  const signatureBytes = Buffer.from(signature, 'base64url');
  if (signatureBytes.length !== key.signatureBytes) return false;
  try {
    return verify('sha256', Buffer.from(signingInput, 'latin1'), key.input, signatureBytes);
  } catch {
    // OpenSSL raises for some malformed signatures instead of returning false.
    return false;
  }
}
