import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import type { LocalServer } from '../local/app.js';
import { hashPassword } from '../src/oauth/password-hash.js';
import { basicAuth, createTestClient, postForm, startTestServer, type TestClient } from './support/local-server.js';

describe('POST /oauth2/token', () => {
  let server: LocalServer;
  let tokenUrl: string;
  let service: TestClient;
  let app: TestClient;
  let publicApp: TestClient;

  beforeAll(async () => {
    server = await startTestServer();
    tokenUrl = `${server.url}/oauth2/token`;
    service = await createTestClient(server, {
      clientId: 'service:a+b c%',
      secret: 's3cret:with+special %chars&=',
      grantTypes: ['client_credentials'],
      scopes: ['orders:read', 'orders:write'],
      audience: 'https://orders.example.com',
    });
    app = await createTestClient(server, { clientId: 'first-party-app', grantTypes: ['password', 'refresh_token'], scopes: ['profile', 'email'] });
    publicApp = await createTestClient(server, { clientId: 'public-app', secret: null, grantTypes: ['password', 'refresh_token'], scopes: ['profile'] });
    const nowSeconds = Math.floor(Date.now() / 1000);
    await server.deps.users.create({ username: 'alice', sub: 'user-alice', passwordHash: await hashPassword('correct horse', server.config.scrypt), disabled: false, createdAt: nowSeconds });
    await server.deps.users.create({ username: 'mallory', sub: 'user-mallory', passwordHash: await hashPassword('correct horse', server.config.scrypt), disabled: true, createdAt: nowSeconds });
  });

  afterAll(async () => {
    await server.close();
  });

  const serviceAuth = (): Record<string, string> => ({ authorization: basicAuth(service.clientId, service.clientSecret!) });
  const appAuth = (): Record<string, string> => ({ authorization: basicAuth(app.clientId, app.clientSecret!) });

  function expectNoStore(headers: Headers): void {
    expect(headers.get('cache-control')).toBe('no-store');
    expect(headers.get('pragma')).toBe('no-cache');
  }

  describe('client_credentials', () => {
    it('accepts client_secret_basic with form-encoded id and secret', async () => {
      const response = await postForm(tokenUrl, { grant_type: 'client_credentials' }, serviceAuth());

      expect(response.status).toBe(200);
      expectNoStore(response.headers);
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.json.token_type).toBe('Bearer');
      expect(response.json.expires_in).toBe(900);
      expect(response.json.scope).toBe('orders:read orders:write');
      expect(response.json.refresh_token).toBeUndefined();
    });

    it('accepts client_secret_post', async () => {
      const response = await postForm(tokenUrl, {
        grant_type: 'client_credentials',
        client_id: service.clientId,
        client_secret: service.clientSecret!,
        scope: 'orders:read',
      });

      expect(response.status).toBe(200);
      expect(response.json.scope).toBe('orders:read');
    });

    it('issues an RFC 9068 token that verifies against the JWKS', async () => {
      const response = await postForm(tokenUrl, { grant_type: 'client_credentials', scope: 'orders:write' }, serviceAuth());
      const token = String(response.json.access_token);
      const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));

      const { payload, protectedHeader } = await jwtVerify(token, jwks, {
        issuer: server.config.issuer,
        audience: 'https://orders.example.com',
        typ: 'at+jwt',
        algorithms: ['RS256'],
      });

      expect(protectedHeader.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(payload.sub).toBe(service.clientId);
      expect(payload.client_id).toBe(service.clientId);
      expect(payload.scope).toBe('orders:write');
      expect(typeof payload.jti).toBe('string');
      expect(payload.exp! - payload.iat!).toBe(900);
      expect(payload.sid).toBeUndefined();
    });

    it('gives every token a unique jti', async () => {
      const jtis = new Set<string>();
      for (let index = 0; index < 5; index += 1) {
        const response = await postForm(tokenUrl, { grant_type: 'client_credentials' }, serviceAuth());
        const [, payload = ''] = String(response.json.access_token).split('.');
        jtis.add(String((JSON.parse(Buffer.from(payload, 'base64url').toString()) as { jti: string }).jti));
      }
      expect(jtis.size).toBe(5);
    });

    it('accepts a charset parameter and mixed-case media type', async () => {
      const response = await postForm(tokenUrl, 'grant_type=client_credentials', {
        ...serviceAuth(),
        'content-type': 'Application/X-WWW-Form-URLEncoded; charset=UTF-8',
      });
      expect(response.status).toBe(200);
    });

    it('treats an empty scope parameter as absent', async () => {
      const response = await postForm(tokenUrl, 'grant_type=client_credentials&scope=', serviceAuth());
      expect(response.status).toBe(200);
      expect(response.json.scope).toBe('orders:read orders:write');
    });
  });

  describe('password grant', () => {
    it('returns an access token and a refresh token', async () => {
      const response = await postForm(tokenUrl, { grant_type: 'password', username: 'alice', password: 'correct horse', scope: 'profile' }, appAuth());

      expect(response.status).toBe(200);
      expectNoStore(response.headers);
      expect(response.json.scope).toBe('profile');
      expect(String(response.json.refresh_token)).toMatch(/^rt1\.[A-Za-z0-9_-]{22}\.1\.[A-Za-z0-9_-]{43}$/);
      const [, payload = ''] = String(response.json.access_token).split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
      expect(claims.sub).toBe('user-alice');
      expect(claims.client_id).toBe(app.clientId);
      expect(claims.aud).toBe(server.config.defaultAudience);
      const familyId = String(response.json.refresh_token).split('.')[1];
      expect(claims.sid).toBe(familyId);
    });

    it('stores the refresh-token family without the token', async () => {
      const response = await postForm(tokenUrl, { grant_type: 'password', username: 'alice', password: 'correct horse' }, appAuth());
      const refreshToken = String(response.json.refresh_token);
      const [, familyId = '', , secret = ''] = refreshToken.split('.');

      const family = await server.deps.families.find(familyId);

      expect(family).toBeDefined();
      expect(family!.clientId).toBe(app.clientId);
      expect(family!.sub).toBe('user-alice');
      expect(family!.generation).toBe(1);
      expect(family!.expiresAt - family!.createdAt).toBe(server.config.refreshTokenTtlSeconds);
      expect(JSON.stringify(family)).not.toContain(secret);
    });

    it('accepts a public client identified by client_id alone', async () => {
      const response = await postForm(tokenUrl, { grant_type: 'password', client_id: publicApp.clientId, username: 'alice', password: 'correct horse' });
      expect(response.status).toBe(200);
      expect(response.json.scope).toBe('profile');
    });
  });

  describe('errors', () => {
    interface ErrorCase {
      readonly name: string;
      readonly body: () => string | Record<string, string>;
      readonly headers?: () => Record<string, string>;
      readonly status: number;
      readonly error: string;
    }

    const cases: ErrorCase[] = [
      { name: 'wrong secret', body: () => ({ grant_type: 'client_credentials' }), headers: () => ({ authorization: basicAuth(service.clientId, 'wrong') }), status: 401, error: 'invalid_client' },
      { name: 'wrong secret in body', body: () => ({ grant_type: 'client_credentials', client_id: service.clientId, client_secret: 'wrong' }), status: 401, error: 'invalid_client' },
      { name: 'unknown client', body: () => ({ grant_type: 'client_credentials' }), headers: () => ({ authorization: basicAuth('nobody', 'x') }), status: 401, error: 'invalid_client' },
      { name: 'no client authentication', body: () => ({ grant_type: 'client_credentials' }), status: 401, error: 'invalid_client' },
      { name: 'confidential client without secret', body: () => ({ grant_type: 'client_credentials', client_id: service.clientId }), status: 401, error: 'invalid_client' },
      { name: 'public client with a secret', body: () => ({ grant_type: 'password', client_id: publicApp.clientId, client_secret: 'x', username: 'alice', password: 'correct horse' }), status: 401, error: 'invalid_client' },
      { name: 'malformed Basic header', body: () => ({ grant_type: 'client_credentials' }), headers: () => ({ authorization: 'Basic !!!' }), status: 401, error: 'invalid_client' },
      { name: 'Bearer instead of Basic', body: () => ({ grant_type: 'client_credentials' }), headers: () => ({ authorization: 'Bearer abc' }), status: 401, error: 'invalid_client' },
      { name: 'two authentication methods', body: () => ({ grant_type: 'client_credentials', client_secret: service.clientSecret! }), headers: serviceAuth, status: 400, error: 'invalid_request' },
      { name: 'grant not allowed for the client', body: () => ({ grant_type: 'password', username: 'alice', password: 'correct horse' }), headers: serviceAuth, status: 400, error: 'unauthorized_client' },
      { name: 'client_credentials for a public client', body: () => ({ grant_type: 'client_credentials', client_id: publicApp.clientId }), status: 400, error: 'unauthorized_client' },
      { name: 'scope not allowed', body: () => ({ grant_type: 'client_credentials', scope: 'orders:read admin' }), headers: serviceAuth, status: 400, error: 'invalid_scope' },
      { name: 'malformed scope', body: () => ({ grant_type: 'client_credentials', scope: 'orders:read  orders:write' }), headers: serviceAuth, status: 400, error: 'invalid_scope' },
      { name: 'repeated parameter', body: () => 'grant_type=client_credentials&scope=orders:read&scope=orders:write', headers: serviceAuth, status: 400, error: 'invalid_request' },
      { name: 'repeated grant_type', body: () => 'grant_type=client_credentials&grant_type=client_credentials', headers: serviceAuth, status: 400, error: 'invalid_request' },
      { name: 'wrong content type', body: () => '{"grant_type":"client_credentials"}', headers: () => ({ ...serviceAuth(), 'content-type': 'application/json' }), status: 400, error: 'invalid_request' },
      { name: 'non-UTF-8 charset', body: () => 'grant_type=client_credentials', headers: () => ({ ...serviceAuth(), 'content-type': 'application/x-www-form-urlencoded; charset=iso-8859-1' }), status: 400, error: 'invalid_request' },
      { name: 'malformed percent-encoding', body: () => 'grant_type=client_credentials&scope=%E0%A4%A', headers: serviceAuth, status: 400, error: 'invalid_request' },
      { name: 'parameter without a name', body: () => 'grant_type=client_credentials&=x', headers: serviceAuth, status: 400, error: 'invalid_request' },
      { name: 'missing grant_type', body: () => 'scope=orders:read', headers: serviceAuth, status: 400, error: 'invalid_request' },
      { name: 'empty body', body: () => '', headers: serviceAuth, status: 400, error: 'invalid_request' },
      { name: 'unknown grant type', body: () => ({ grant_type: 'urn:example:magic' }), headers: serviceAuth, status: 400, error: 'unsupported_grant_type' },
      { name: 'authorization_code grant', body: () => ({ grant_type: 'authorization_code', code: 'x' }), headers: serviceAuth, status: 400, error: 'unsupported_grant_type' },
      { name: 'wrong password', body: () => ({ grant_type: 'password', username: 'alice', password: 'wrong' }), headers: appAuth, status: 400, error: 'invalid_grant' },
      { name: 'unknown user', body: () => ({ grant_type: 'password', username: 'nobody', password: 'correct horse' }), headers: appAuth, status: 400, error: 'invalid_grant' },
      { name: 'disabled user', body: () => ({ grant_type: 'password', username: 'mallory', password: 'correct horse' }), headers: appAuth, status: 400, error: 'invalid_grant' },
      { name: 'missing username', body: () => ({ grant_type: 'password', password: 'correct horse' }), headers: appAuth, status: 400, error: 'invalid_request' },
      { name: 'missing password', body: () => ({ grant_type: 'password', username: 'alice' }), headers: appAuth, status: 400, error: 'invalid_request' },
    ];

    it.each(cases)('rejects $name', async ({ body, headers, status, error }) => {
      const response = await postForm(tokenUrl, body(), headers?.() ?? {});

      expect(response.status).toBe(status);
      expect(response.json.error).toBe(error);
      expect(typeof response.json.error_description).toBe('string');
      expect(Object.keys(response.json).sort()).toEqual(['error', 'error_description']);
      expectNoStore(response.headers);
      if (status === 401) {
        expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
      } else {
        expect(response.headers.get('www-authenticate')).toBeNull();
      }
    });

    it('rejects a missing content type', async () => {
      const response = await fetch(tokenUrl, { method: 'POST', headers: serviceAuth(), body: new Uint8Array(Buffer.from('grant_type=client_credentials')) });
      const body = (await response.json()) as Record<string, unknown>;

      expect(response.status).toBe(400);
      expect(body.error).toBe('invalid_request');
    });

    it('rejects a body that is not UTF-8', async () => {
      const response = await fetch(tokenUrl, {
        method: 'POST',
        headers: { ...serviceAuth(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new Uint8Array([0x67, 0x72, 0x61, 0x6e, 0x74, 0x3d, 0xff, 0xfe]),
      });
      const body = (await response.json()) as Record<string, unknown>;

      expect(response.status).toBe(400);
      expect(body.error).toBe('invalid_request');
    });

    it('rejects an oversized body with 413', async () => {
      const response = await postForm(tokenUrl, `grant_type=client_credentials&pad=${'a'.repeat(20_000)}`, serviceAuth());

      expect(response.status).toBe(413);
      expect(response.json.error).toBe('invalid_request');
    });

    it('gives unknown user and wrong password identical bodies', async () => {
      const unknown = await postForm(tokenUrl, { grant_type: 'password', username: 'nobody', password: 'x' }, appAuth());
      const wrong = await postForm(tokenUrl, { grant_type: 'password', username: 'alice', password: 'x' }, appAuth());
      const disabled = await postForm(tokenUrl, { grant_type: 'password', username: 'mallory', password: 'correct horse' }, appAuth());

      expect(unknown.json).toEqual(wrong.json);
      expect(disabled.json).toEqual(wrong.json);
    });

    it('never puts the diagnostic detail in the body', async () => {
      const response = await postForm(tokenUrl, { grant_type: 'client_credentials' }, { authorization: basicAuth('nobody', 'x') });
      expect(JSON.stringify(response.json)).not.toContain('nobody');
    });

    it('answers 405 for GET', async () => {
      const response = await fetch(tokenUrl);
      expect(response.status).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    });
  });

  it('signs with the kid published in the JWKS', async () => {
    const response = await postForm(tokenUrl, { grant_type: 'client_credentials' }, serviceAuth());
    const jwks = (await (await fetch(`${server.url}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] };

    const { kid } = decodeProtectedHeader(String(response.json.access_token));

    expect(jwks.keys.map((key) => key.kid)).toContain(kid);
  });
});
