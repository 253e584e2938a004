import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import type { Env } from '../src/config/env.js';
import type { HttpResponse } from '../src/http/responses.js';
import { ENDPOINT_PATHS } from '../src/oauth/discovery.js';
import type { Dependencies } from '../src/runtime/dependencies.js';
import {
  createIntrospectHandler,
  createRefreshHandler,
  createRevokeHandler,
  createTokenHandler,
  createWellKnownHandler,
} from '../src/runtime/handlers.js';
import { buildDemoRoutes } from './authorizer-gateway.js';

/** One route of the local server and the Lambda function that serves it. */
export interface LocalRoute {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Name of the deployed function, used in the Lambda context and logs. */
  readonly functionName: string;
  readonly handler: (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResponse>;
}

/**
 * The routes of the deployed REST API, served by the same handler factories the Lambda entry
 * points use, plus the demo routes behind the authorizer, which reads its settings from `env`.
 */
export function buildRoutes(deps: Dependencies, env: Env = process.env): LocalRoute[] {
  const token = createTokenHandler(deps);
  const wellKnown = createWellKnownHandler(deps);
  return [
    { method: 'POST', path: ENDPOINT_PATHS.token, functionName: 'token', handler: token },
    { method: 'POST', path: ENDPOINT_PATHS.refresh, functionName: 'refresh', handler: createRefreshHandler(deps) },
    { method: 'POST', path: ENDPOINT_PATHS.revocation, functionName: 'revoke', handler: createRevokeHandler(deps) },
    { method: 'POST', path: ENDPOINT_PATHS.introspection, functionName: 'introspect', handler: createIntrospectHandler(deps) },
    { method: 'GET', path: ENDPOINT_PATHS.jwks, functionName: 'well-known', handler: wellKnown },
    { method: 'GET', path: ENDPOINT_PATHS.metadata, functionName: 'well-known', handler: wellKnown },
    { method: 'GET', path: ENDPOINT_PATHS.openidConfiguration, functionName: 'well-known', handler: wellKnown },
    ...buildDemoRoutes(deps, env),
  ];
}
