import type { LocalServer } from '../local/app.js';
import { startTestServer } from './support/local-server.js';
import { createStoreKeyProvider } from '../src/runtime/dependencies.js';

/** JWK members that carry private key material (RFC 7518 sections 6.2.2, 6.3.2 and 6.4). */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];

describe('well-known documents', () => {
  let server: LocalServer;

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server.close();
  });

  it('publishes only public key members in the JWKS', async () => {
    // Rotate twice so current and retired keys are both published.
    const keys = createStoreKeyProvider(server.deps.db, server.config);
    await keys.rotate();
    await keys.rotate();
    server.deps.keys.invalidate();

    const response = await fetch(`${server.url}/.well-known/jwks.json`);
    const text = await response.text();
    const jwks = JSON.parse(text) as { keys: Record<string, unknown>[] };

    expect(jwks.keys).toHaveLength(3);
    for (const key of jwks.keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
    }
    expect(text).not.toMatch(/"(d|p|q|dp|dq|qi)"\s*:/);
  });

  it('serves the JWKS with cache and CORS headers', async () => {
    const response = await fetch(`${server.url}/.well-known/jwks.json`);

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  });

  it('serves RFC 8414 metadata', async () => {
    const response = await fetch(`${server.url}/.well-known/oauth-authorization-server`);
    const metadata = (await response.json()) as Record<string, unknown>;

    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(metadata).toMatchObject({
      issuer: server.config.issuer,
      token_endpoint: `${server.config.issuer}/oauth2/token`,
      jwks_uri: `${server.config.issuer}/.well-known/jwks.json`,
      revocation_endpoint: `${server.config.issuer}/oauth2/revoke`,
      introspection_endpoint: `${server.config.issuer}/oauth2/introspect`,
      grant_types_supported: ['client_credentials', 'password', 'refresh_token'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
    });
  });

  it('serves the same metadata at the OpenID discovery path', async () => {
    const oauth = (await (await fetch(`${server.url}/.well-known/oauth-authorization-server`)).json()) as unknown;
    const response = await fetch(`${server.url}/.well-known/openid-configuration`);

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(oauth);
  });

  it('answers 404 for unknown paths', async () => {
    const response = await fetch(`${server.url}/.well-known/webfinger`);
    expect(response.status).toBe(404);
  });
});
