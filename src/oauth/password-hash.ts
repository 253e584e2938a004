import { randomBytes, scrypt as scryptCallback, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { ScryptParameters } from '../config/config.js';

/**
 * Password hashing with scrypt in a self-describing PHC-style string:
 * `$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt, base64url>$<hash, base64url>`.
 * The parameters travel with the hash, so they can be raised later and old hashes
 * upgraded on the next successful login (`needsRehash`).
 */

const SALT_BYTES = 16;
const HASH_BYTES = 32;
const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9_-]{16,})\$([A-Za-z0-9_-]{32,})$/;

function scrypt(password: string, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scryptCallback(password.normalize('NFC'), salt, length, options, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

function scryptOptions(parameters: ScryptParameters): ScryptOptions {
  // scrypt needs 128 * N * r * p bytes; Node's default ceiling is 32 MiB, too low for N=2^17.
  const maxmem = 128 * parameters.n * parameters.r * parameters.p + 16 * 1024 * 1024;
  return { N: parameters.n, r: parameters.r, p: parameters.p, maxmem };
}

export async function hashPassword(password: string, parameters: ScryptParameters): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await scrypt(password, salt, HASH_BYTES, scryptOptions(parameters));
  const logN = Math.log2(parameters.n);
  return `$scrypt$ln=${logN},r=${parameters.r},p=${parameters.p}$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

export interface PasswordCheck {
  readonly valid: boolean;
  /** True when the stored hash uses weaker parameters than `current`. */
  readonly needsRehash: boolean;
}

/**
 * Compares a password with a stored hash in constant time. A stored value that is not in
 * the expected format never matches (and is still hashed, so the call costs the same).
 */
export async function verifyPassword(
  password: string,
  encoded: string,
  current: ScryptParameters,
): Promise<PasswordCheck> {
  const match = FORMAT.exec(encoded);
  if (match === null) {
    await scrypt(password, randomBytes(SALT_BYTES), HASH_BYTES, scryptOptions(current));
    return { valid: false, needsRehash: true };
  }
  const parameters: ScryptParameters = { n: 2 ** Number(match[1]), r: Number(match[2]), p: Number(match[3]) };
  const salt = Buffer.from(match[4] ?? '', 'base64url');
  const expected = Buffer.from(match[5] ?? '', 'base64url');
  const actual = await scrypt(password, salt, expected.length, scryptOptions(parameters));
  const valid = timingSafeEqual(actual, expected);
  const needsRehash = parameters.n < current.n || parameters.r < current.r || parameters.p < current.p;
  return { valid, needsRehash };
}

/**
 * Burns the same time as checking a real password. Called on the unknown-user path so
 * response time does not reveal whether a username exists.
 *
 * NOTE: the dummy hash uses the current parameters. After the scrypt cost is raised, or when
 * the CLI and the functions run with different `SCRYPT_*` settings, an existing user whose
 * hash still has the old cost is rejected faster than an unknown one. Each successful
 * login rehashes at the current cost, which closes the gap for that user.
 */
export async function verifyDummyPassword(password: string, current: ScryptParameters): Promise<void> {
  await scrypt(password, randomBytes(SALT_BYTES), HASH_BYTES, scryptOptions(current));
}
