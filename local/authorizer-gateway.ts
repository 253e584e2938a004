/**
 * Puts the real Lambda authorizer in front of local routes, the way a REST API with a
 * REQUEST authorizer does. It builds the authorizer event from the request, runs the handler,
 * evaluates its policy against the method ARN, and calls the integration only on Allow.
 * Unlike API Gateway, it caches no authorizer result, so every request runs the authorizer.
 */
import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { Authorizer } from '../src/authorizer/authorizer.js';
import { loadAuthorizerConfig } from '../src/authorizer/config.js';
import { createAuthorizerHandler, UNAUTHORIZED, type AuthorizerHandler } from '../src/authorizer/handler.js';
import { parseScopeRules } from '../src/authorizer/scope-rules.js';
import { StoreVerificationKeys } from '../src/authorizer/store-verification-keys.js';
import type { Env } from '../src/config/env.js';
import { jsonResponse, type HttpResponse } from '../src/http/responses.js';
import { createLogger } from '../src/log/logger.js';
import type { Dependencies } from '../src/runtime/dependencies.js';
import { handler as demoHandler } from '../lambdas/demo/index.js';
import { evaluatePolicy } from './policy-evaluator.js';
import { createLocalContext } from './proxy-event.js';
import type { LocalRoute } from './routes.js';

/** The demo API's scope rules: `/demo/me` takes any valid token, `/demo/admin` also needs `admin`. */
export const DEMO_SCOPE_RULES = '{"GET /demo/admin":"admin"}';

type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResponse>;

/** The method ARN API Gateway would send for this request, for the local API `local`, stage `local`. */
export function localMethodArn(event: APIGatewayProxyEvent): string {
  return `arn:aws:execute-api:local:${event.requestContext.accountId}:${event.requestContext.apiId}/${event.requestContext.stage}/${event.httpMethod}${event.path}`;
}

function toRequestAuthorizerEvent(event: APIGatewayProxyEvent, methodArn: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    resource: event.resource,
    path: event.path,
    httpMethod: event.httpMethod,
    headers: event.headers,
    multiValueHeaders: event.multiValueHeaders,
    pathParameters: event.pathParameters,
    queryStringParameters: event.queryStringParameters,
    multiValueQueryStringParameters: event.multiValueQueryStringParameters,
    stageVariables: event.stageVariables,
    requestContext: { ...event.requestContext, authorizer: undefined },
  };
}

/**
 * Wraps `target` behind `authorizer`. Responses match API Gateway's defaults: 401
 * `{"message":"Unauthorized"}`, 403 `{"Message":"User is not authorized to access this
 * resource"}` (with "with an explicit deny" for a Deny statement), 500 for any other
 * authorizer error or result.
 */
export function protectRoute(authorizer: AuthorizerHandler, target: ProxyHandler): ProxyHandler {
  return async (event, context) => {
    const methodArn = localMethodArn(event);
    let result: Awaited<ReturnType<AuthorizerHandler>>;
    try {
      result = await authorizer(toRequestAuthorizerEvent(event, methodArn), createLocalContext('authorizer', context.awsRequestId));
    } catch (error) {
      if (error instanceof Error && error.message === UNAUTHORIZED) return jsonResponse(401, { message: 'Unauthorized' });
      return jsonResponse(500, { message: null });
    }
    if (!('policyDocument' in result)) return jsonResponse(500, { message: null });

    const evaluation = evaluatePolicy(result.policyDocument, methodArn);
    if (evaluation === 'ExplicitDeny') {
      return jsonResponse(403, { Message: 'User is not authorized to access this resource with an explicit deny' });
    }
    if (evaluation === 'ImplicitDeny') return jsonResponse(403, { Message: 'User is not authorized to access this resource' });

    const authorized: APIGatewayProxyEvent = {
      ...event,
      requestContext: { ...event.requestContext, authorizer: { ...result.context, principalId: result.principalId } },
    };
    return target(authorized, context);
  };
}

/**
 * Builds the demo routes behind the authorizer. The authorizer reads the table's public keys
 * (never writing any) and its settings from `env`, except for the fixed demo scope rules.
 */
export function buildDemoRoutes(deps: Dependencies, env: Env): LocalRoute[] {
  const config = { ...loadAuthorizerConfig(env, deps.config), scopeRules: parseScopeRules(DEMO_SCOPE_RULES) };
  const logger = createLogger('authorizer');
  const authorizer = new Authorizer({
    config,
    keys: new StoreVerificationKeys(deps.db, { tableName: deps.config.tableName, cacheSeconds: deps.config.keyCacheSeconds, now: deps.now }),
    denyList: deps.denyList,
    now: deps.now,
    onRevocationStoreError: (error, details) => logger.error('deny-list read failed', { ...details, error }),
  });
  const handler = createAuthorizerHandler({ authorizer, logger, httpApiSimpleResponses: false });
  const demo: ProxyHandler = async (event) => {
    const response = await demoHandler(event);
    return { ...response, headers: Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, value]) => [name, String(value)])) };
  };
  const protectedDemo = protectRoute(handler, demo);
  return [
    { method: 'GET', path: '/demo/me', functionName: 'demo', handler: protectedDemo },
    { method: 'GET', path: '/demo/admin', functionName: 'demo', handler: protectedDemo },
  ];
}
