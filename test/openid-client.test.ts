import * as oauth from 'openid-client';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { LocalServer } from '../local/app.js';
import { createTestClient, startTestServer, type TestClient } from './support/local-server.js';

describe('openid-client against the local server', () => {
  let server: LocalServer;
  let client: TestClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = await createTestClient(server, { clientId: 'oc-service', grantTypes: ['client_credentials'], scopes: ['reports:read', 'reports:write'] });
  });

  afterAll(async () => {
    await server.close();
  });

  async function discover(auth: oauth.ClientAuth): Promise<oauth.Configuration> {
    return oauth.discovery(new URL(server.config.issuer), client.clientId, undefined, auth, {
      // The local server speaks plain HTTP on loopback.
      execute: [oauth.allowInsecureRequests],
      algorithm: 'oauth2',
    });
  }

  it('discovers the RFC 8414 metadata', async () => {
    const config = await discover(oauth.ClientSecretBasic(client.clientSecret!));
    const metadata = config.serverMetadata();

    expect(metadata.issuer).toBe(server.config.issuer);
    expect(metadata.token_endpoint).toBe(`${server.config.issuer}/oauth2/token`);
    expect(metadata.jwks_uri).toBe(`${server.config.issuer}/.well-known/jwks.json`);
    expect(metadata.grant_types_supported).toEqual(expect.arrayContaining(['client_credentials', 'password', 'refresh_token']));
  });

  it.each([
    ['client_secret_basic', (secret: string) => oauth.ClientSecretBasic(secret)],
    ['client_secret_post', (secret: string) => oauth.ClientSecretPost(secret)],
  ])('runs client_credentials with %s', async (_method, auth) => {
    const config = await discover(auth(client.clientSecret!));

    const tokens = await oauth.clientCredentialsGrant(config, { scope: 'reports:read' });

    expect(tokens.token_type).toBe('bearer');
    expect(tokens.scope).toBe('reports:read');
    expect(tokens.expires_in).toBe(900);
    const jwks = createRemoteJWKSet(new URL(config.serverMetadata().jwks_uri!));
    const { payload } = await jwtVerify(tokens.access_token, jwks, { issuer: server.config.issuer, audience: server.config.defaultAudience, typ: 'at+jwt' });
    expect(payload.client_id).toBe(client.clientId);
  });

  it('sees a Basic challenge for a wrong secret', async () => {
    const config = await discover(oauth.ClientSecretBasic('wrong-secret'));

    // openid-client reports a 401 with WWW-Authenticate as a challenge error, before the JSON body.
    const error = await oauth.clientCredentialsGrant(config).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(oauth.WWWAuthenticateChallengeError);
    expect(error).toMatchObject({ status: 401, code: 'OAUTH_WWW_AUTHENTICATE_CHALLENGE' });
    expect((error as oauth.WWWAuthenticateChallengeError).cause[0]?.scheme).toBe('basic');
    const body = (await (error as oauth.WWWAuthenticateChallengeError).response.json()) as Record<string, unknown>;
    expect(body.error).toBe('invalid_client');
  });
});
