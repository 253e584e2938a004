import { loadConfig } from '../src/config/config.js';

describe('loadConfig', () => {
  it('applies the contract defaults', () => {
    const config = loadConfig({});

    expect(config.issuer).toBe('http://127.0.0.1:3000');
    expect(config.tableName).toBe('auth-local');
    expect(config.accessTokenTtlSeconds).toBe(900);
    expect(config.refreshTokenTtlSeconds).toBe(30 * 86_400);
    expect(config.refreshReuseGraceSeconds).toBe(0);
    expect(config.refreshTokenIdleSeconds).toBe(0);
    expect(config.signingAlgorithm).toBe('RS256');
    expect(config.dynamoDbEndpoint).toBeUndefined();
  });

  it('derives the issuer from PORT and drops a trailing slash from ISSUER', () => {
    expect(loadConfig({ PORT: '4000' }).issuer).toBe('http://127.0.0.1:4000');
    expect(loadConfig({ ISSUER: 'https://auth.example.com/' }).issuer).toBe('https://auth.example.com');
  });

  it.each([
    ['ACCESS_TOKEN_TTL_SECONDS', 'abc'],
    ['ACCESS_TOKEN_TTL_SECONDS', '0'],
    ['ACCESS_TOKEN_TTL_SECONDS', '1.5'],
    ['REFRESH_TOKEN_TTL_SECONDS', '-1'],
    ['REFRESH_REUSE_GRACE_SECONDS', '100000'],
    ['PORT', '70000'],
    ['ISSUER', 'not a url'],
    ['ISSUER', 'https://auth.example.com/?x=1'],
    ['SIGNING_ALG', 'HS256'],
    ['SIGNING_ALG', 'none'],
    ['SCRYPT_N', '1000'],
  ])('rejects %s=%s', (key, value) => {
    expect(() => loadConfig({ [key]: value })).toThrow(new RegExp(key));
  });
});
