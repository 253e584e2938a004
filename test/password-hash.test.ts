import { OWASP_SCRYPT, loadConfig } from '../src/config/config.js';
import { hashPassword, verifyPassword } from '../src/oauth/password-hash.js';

const FAST = { n: 2 ** 10, r: 8, p: 1 };

describe('password hashing', () => {
  it('defaults to the OWASP scrypt parameters', () => {
    expect(OWASP_SCRYPT).toEqual({ n: 131072, r: 8, p: 1 });
    expect(loadConfig({}).scrypt).toEqual(OWASP_SCRYPT);
  });

  it('hashes at the OWASP parameters within scrypt memory limits', async () => {
    const hash = await hashPassword('correct horse', OWASP_SCRYPT);

    expect(hash).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    await expect(verifyPassword('correct horse', hash, OWASP_SCRYPT)).resolves.toEqual({ valid: true, needsRehash: false });
  });

  it('salts every hash', async () => {
    const first = await hashPassword('same', FAST);
    const second = await hashPassword('same', FAST);
    expect(first).not.toBe(second);
  });

  it('rejects a wrong password', async () => {
    const hash = await hashPassword('right', FAST);
    await expect(verifyPassword('wrong', hash, FAST)).resolves.toMatchObject({ valid: false });
  });

  it('asks for a rehash when parameters were raised', async () => {
    const hash = await hashPassword('pw', FAST);

    const check = await verifyPassword('pw', hash, { ...FAST, n: 2 ** 11 });

    expect(check).toEqual({ valid: true, needsRehash: true });
  });

  it('never matches a malformed stored hash', async () => {
    for (const stored of ['', 'plaintext', '$scrypt$ln=10,r=8,p=1$short$short', '$argon2id$v=19$m=65536,t=3,p=4$abc$def']) {
      await expect(verifyPassword('plaintext', stored, FAST)).resolves.toMatchObject({ valid: false });
    }
  });

  it('normalizes Unicode before hashing', async () => {
    const composed = 'caf\u00e9';
    const decomposed = 'cafe\u0301';
    const hash = await hashPassword(composed, FAST);
    await expect(verifyPassword(decomposed, hash, FAST)).resolves.toMatchObject({ valid: true });
  });
});
