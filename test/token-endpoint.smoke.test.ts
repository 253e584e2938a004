import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { LocalServer } from '../local/app.js';
import { basicAuth, postForm, startTestServer } from './support/local-server.js';

describe('token endpoint smoke', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('issues a verifiable client_credentials token', async () => {
    const demo = server.demo!;
    const response = await postForm(`${server.url}/oauth2/token`, { grant_type: 'client_credentials' }, {
      authorization: basicAuth(demo.clientId, demo.clientSecret),
    });
    expect(response.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${server.url}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(String(response.json.access_token), jwks, {
      issuer: server.config.issuer,
      audience: server.config.defaultAudience,
      typ: 'at+jwt',
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload.sub).toBe(demo.clientId);
  });
});
