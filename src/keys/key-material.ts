import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { SigningAlgorithm } from '../config/config.js';
import type { SigningKey, VerificationKey } from './key-provider.js';

/** A key pair in storable form: the private JWK plus the metadata that goes with it. */
export interface StoredKeyPair {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateJwk: JWK;
  /** Epoch seconds. */
  readonly createdAt: number;
}

function generate(alg: SigningAlgorithm): Promise<KeyObject> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, _publicKey: KeyObject, privateKey: KeyObject): void => {
      if (error) reject(error);
      else resolve(privateKey);
    };
    if (alg === 'ES256') generateKeyPair('ec', { namedCurve: 'P-256' }, done);
    else generateKeyPair('rsa', { modulusLength: 2048 }, done);
  });
}

/** Generates a new key pair whose `kid` is its RFC 7638 JWK thumbprint. */
export async function generateKeyPairForAlgorithm(alg: SigningAlgorithm, nowSeconds: number): Promise<StoredKeyPair> {
  const privateKey = await generate(alg);
  const privateJwk = privateKey.export({ format: 'jwk' }) as JWK;
  const kid = await calculateJwkThumbprint(privateJwk, 'sha256');
  return { kid, alg, privateJwk, createdAt: nowSeconds };
}

/** The members of a public JWK for each key type; anything else (private members included) is dropped. */
const PUBLIC_MEMBERS: Record<string, readonly string[]> = {
  RSA: ['kty', 'n', 'e'],
  EC: ['kty', 'crv', 'x', 'y'],
};

export function toPublicJwk(jwk: JWK, kid: string, alg: SigningAlgorithm): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ''];
  if (members === undefined) throw new TypeError(`unsupported key type "${String(jwk.kty)}"`);
  const publicJwk: JWK = {};
  for (const member of members) {
    const value = (jwk as Record<string, unknown>)[member];
    if (typeof value === 'string') (publicJwk as Record<string, unknown>)[member] = value;
  }
  return { ...publicJwk, kid, alg, use: 'sig' };
}

export function toSigningKey(pair: StoredKeyPair): SigningKey {
  return {
    kid: pair.kid,
    alg: pair.alg,
    privateKey: createPrivateKey({ key: pair.privateJwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
  };
}

export function toVerificationKey(pair: StoredKeyPair): VerificationKey {
  const jwk = toPublicJwk(pair.privateJwk, pair.kid, pair.alg);
  return {
    kid: pair.kid,
    alg: pair.alg,
    publicKey: createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
    jwk,
  };
}
