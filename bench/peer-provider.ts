/**
 * oidc-provider (node-oidc-provider v9), set up the way a team would run it in place of
 * this backend for machine-to-machine tokens: client_credentials only, RS256 JWT access
 * tokens through resource indicators, and its default in-memory storage.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';
import Provider from 'oidc-provider';

/** The resource server every peer token is issued for. */
export const PEER_RESOURCE = 'urn:bench:api';

export interface PeerServer {
  readonly tokenUrl: string;
  close(): Promise<void>;
}

export interface PeerClient {
  readonly clientId: string;
  readonly clientSecret: string;
}

/** Starts oidc-provider on 127.0.0.1 with one confidential client, signing with `privateJwk`. */
export async function startPeerProvider(privateJwk: JWK, client: PeerClient): Promise<PeerServer> {
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [{ ...privateJwk, use: 'sig', alg: 'RS256' }] },
    cookies: { keys: ['bench-cookie-key-not-secret'] },
    // The same lifetime as this server's access tokens; it also keeps oidc-provider from printing a notice to stdout.
    ttl: { ClientCredentials: 900 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => PEER_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'read write',
          audience: PEER_RESOURCE,
          accessTokenTTL: 900,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  server.on('request', provider.callback());

  return {
    tokenUrl: `${issuer}/token`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
