import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { loadConfig, DEFAULT_PORT, type AuthConfig } from '../src/config/config.js';
import { readInteger, readOptionalString, type Env } from '../src/config/env.js';
import type { HttpResponse } from '../src/http/responses.js';
import { createDependencies, type Dependencies } from '../src/runtime/dependencies.js';
import { ensureTable } from '../src/store/dynamo.js';
import { startEmbeddedStore, type EmbeddedStore } from './embedded-store.js';
import { createLocalContext, toProxyEvent } from './proxy-event.js';
import { buildRoutes, type LocalRoute } from './routes.js';
import { seedDemoData, type DemoCredentials } from './seed.js';

/** Largest request body the local server reads, in bytes (API Gateway's own limit is 10 MB). */
const MAX_REQUEST_BYTES = 1024 * 1024;
const DEFAULT_DYNAMODB_PORT = 8000;

export interface LocalServer {
  readonly url: string;
  readonly config: AuthConfig;
  readonly dynamoDbEndpoint: string;
  /** Location of the embedded store's data: a folder, `memory`, or undefined with an external store. */
  readonly storeData: string | undefined;
  /** Demo credentials, when they were created now or saved by an earlier start. */
  readonly demo: DemoCredentials | undefined;
  readonly deps: Dependencies;
  close(): Promise<void>;
}

/** Resolves the embedded store's data folder: `.local/` by default, undefined for `memory`. */
export function resolveDataDir(env: Env): string | undefined {
  const value = readOptionalString(env, 'LOCAL_DATA_DIR');
  if (value === 'memory') return undefined;
  return resolve(value ?? '.local');
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        resolveBody(undefined);
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolveBody(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, result: HttpResponse): void {
  // Lambda serializes the response as JSON, which drops headers whose value is undefined; do the same.
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(result.headers)) {
    if (value !== undefined) headers[name] = String(value);
  }
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    headers[name] = values.map(String);
  }
  const body = Buffer.from(result.body, result.isBase64Encoded === true ? 'base64' : 'utf8');
  // API Gateway sends a Content-Length. Without one, Node.js would use chunked encoding here
  // because the headers are written before the body, and write each response in four pieces.
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-length')) headers['Content-Length'] = String(body.length);
  response.writeHead(result.statusCode, headers);
  response.end(body);
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(response, { statusCode: status, headers: { 'Content-Type': 'application/json; charset=utf-8', ...headers }, body: JSON.stringify(body) });
}

async function dispatch(routes: readonly LocalRoute[], request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://127.0.0.1');
  const candidates = routes.filter((route) => route.path === url.pathname);
  if (candidates.length === 0) {
    sendJson(response, 404, { message: 'Not Found' });
    request.resume();
    return;
  }
  const route = candidates.find((candidate) => candidate.method === request.method);
  if (route === undefined) {
    sendJson(response, 405, { message: 'Method Not Allowed' }, { Allow: candidates.map((c) => c.method).join(', ') });
    request.resume();
    return;
  }
  const bytes = await readBody(request);
  if (bytes === undefined) {
    sendJson(response, 413, { message: 'Request Entity Too Large' });
    return;
  }
  const event = toProxyEvent(request, url, bytes, route.path);
  const result = await route.handler(event, createLocalContext(route.functionName, event.requestContext.requestId));
  send(response, result);
}

/**
 * Starts the local server: the embedded store (unless `DYNAMODB_ENDPOINT` is set), the table,
 * demo data on an empty store, and every endpoint on `127.0.0.1:$PORT`.
 */
export async function startLocalServer(env: Env = process.env): Promise<LocalServer> {
  const port = readInteger(env, 'PORT', DEFAULT_PORT, { min: 0, max: 65_535 });
  const externalEndpoint = readOptionalString(env, 'DYNAMODB_ENDPOINT');
  const dataDir = resolveDataDir(env);

  let store: EmbeddedStore | undefined;
  if (externalEndpoint === undefined) {
    const storePort = readInteger(env, 'DYNAMODB_PORT', DEFAULT_DYNAMODB_PORT, { min: 0, max: 65_535 });
    store = await startEmbeddedStore(storePort, dataDir);
  }
  const dynamoDbEndpoint = externalEndpoint ?? store?.endpoint ?? '';

  let routes: LocalRoute[] = [];
  const server: Server = createServer((request, response) => {
    dispatch(routes, request, response).catch((error: unknown) => {
      // Handlers turn their own errors into responses; this is a bug in the local server itself.
      console.error(JSON.stringify({ level: 'ERROR', message: 'local server failed to serve a request', error: String(error) }));
      if (!response.headersSent) sendJson(response, 500, { message: 'Internal Server Error' });
      else response.destroy();
    });
  });

  try {
    await new Promise<void>((resolveListen, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolveListen();
      });
    });
    const actualPort = (server.address() as AddressInfo).port;
    const config = loadConfig({ ...env, PORT: String(actualPort), DYNAMODB_ENDPOINT: dynamoDbEndpoint });
    const deps = createDependencies(config);
    await ensureTable(deps.db, config.tableName);
    await deps.keys.getSigningKey();
    const demo = await seedDemoData(deps, dataDir);
    routes = buildRoutes(deps, env);

    return {
      url: `http://127.0.0.1:${actualPort}`,
      config,
      dynamoDbEndpoint,
      storeData: store === undefined ? undefined : (dataDir ?? 'memory'),
      demo,
      deps,
      close: async () => {
        await new Promise<void>((resolveClose) => {
          server.close(() => resolveClose());
          server.closeAllConnections();
        });
        deps.db.destroy();
        await store?.close();
      },
    };
  } catch (error) {
    server.close();
    await store?.close();
    throw error;
  }
}
