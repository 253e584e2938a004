/**
 * Authorizers that attach the backend's Lambda authorizer (or API Gateway's native JWT
 * authorizer) to an API. API Gateway binds an authorizer resource to one API, so each call
 * creates a new one; all share the same authorizer function.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { HttpJwtAuthorizer, HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';

/** Maximum result TTL of API Gateway authorizers. */
export const MAX_AUTHORIZER_CACHE_SECONDS = 3600;

/**
 * Identity validation expression for TOKEN authorizers: a case-insensitive `Bearer` scheme
 * and a compact JWS whose three parts use the whole base64url alphabet (`-` and `_` included).
 */
export const BEARER_JWT_VALIDATION_EXPRESSION = '^[Bb][Ee][Aa][Rr][Ee][Rr] +[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$';

/**
 * Tokens every identity validation expression must admit. The signature part contains every
 * base64url character, so an expression that drops `-` or `_` fails here at synth time. After
 * deployment it would reject nearly every token: an RS256 JWT has hundreds of base64url
 * characters, and all of them avoid `-` and `_` with a probability below 1 in 100,000.
 */
const VALIDATION_SAMPLES = [
  'Bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  'bearer eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.-_-_',
  'BEARER eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.__--',
];

export interface RestAuthorizerOptions {
  /** Name of the authorizer in API Gateway. @default - generated */
  readonly authorizerName?: string;
  /** Result TTL. @default - the backend's `authorizerCacheTtl` */
  readonly resultsCacheTtl?: Duration;
  /**
   * Identity sources; the first must be the `Authorization` header.
   * @default - the `Authorization` header plus the method and resource path, so a cached
   * decision is reused only for the route it was made for (scope rules differ per route)
   */
  readonly identitySources?: string[];
}

export interface RestTokenAuthorizerOptions {
  readonly authorizerName?: string;
  readonly resultsCacheTtl?: Duration;
  /**
   * Regular expression API Gateway applies to the header before it calls the authorizer.
   * It must admit every base64url character and a case-insensitive `Bearer`.
   * @default BEARER_JWT_VALIDATION_EXPRESSION
   */
  readonly validationRegex?: string;
}

export interface HttpAuthorizerOptions {
  readonly authorizerName?: string;
  readonly resultsCacheTtl?: Duration;
  /**
   * Identity sources; the first must be `$request.header.Authorization`.
   * @default - the `Authorization` header plus `$context.routeKey`, so a cached decision is
   * reused only for the route it was made for
   */
  readonly identitySource?: string[];
}

export interface JwtAuthorizerOptions {
  readonly authorizerName?: string;
  /** Accepted `aud` values. @default - the backend's accepted audiences */
  readonly audience?: string[];
}

/** Rejects a TTL out of range, or a TTL above 0 with no identity source to key the cache on. */
export function checkAuthorizerCache(name: string, ttl: Duration, identitySources: readonly string[]): void {
  const seconds = ttl.toSeconds();
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > MAX_AUTHORIZER_CACHE_SECONDS) {
    throw new Error(`Invalid resultsCacheTtl submitted for ${name} - ${ttl.toHumanString()}; use whole seconds from 0 to ${MAX_AUTHORIZER_CACHE_SECONDS}`);
  }
  if (seconds > 0 && identitySources.length === 0) {
    throw new Error(`Invalid authorizer ${name} submitted - a cache TTL of ${seconds} s needs an identity source to key the cache on`);
  }
}

/**
 * Rejects a TOKEN authorizer validation expression that would turn valid bearer tokens away.
 * NOTE: the samples are matched with JavaScript regular expressions, while API Gateway uses
 * Java's; the two agree on character classes and anchors, not on every construct.
 */
export function checkValidationExpression(expression: string): void {
  let pattern: RegExp;
  try {
    pattern = new RegExp(expression);
  } catch {
    throw new Error(`Invalid validationRegex submitted - ${expression}; it is not a regular expression`);
  }
  for (const sample of VALIDATION_SAMPLES) {
    if (!pattern.test(sample)) {
      throw new Error(
        `Invalid validationRegex submitted - ${expression}; it rejects "${sample.split(' ')[0]} <token>" with "-" or "_" in the token, so valid tokens would be turned away`,
      );
    }
  }
}

/** Creates a REST API REQUEST authorizer keyed on the `Authorization` header. */
export function createRestRequestAuthorizer(
  scope: Construct,
  id: string,
  handler: lambda.IFunction,
  defaultTtl: Duration,
  options: RestAuthorizerOptions = {},
): apigateway.RequestAuthorizer {
  const identitySources = options.identitySources ?? [
    apigateway.IdentitySource.header('Authorization'),
    apigateway.IdentitySource.context('httpMethod'),
    apigateway.IdentitySource.context('resourcePath'),
  ];
  const ttl = options.resultsCacheTtl ?? defaultTtl;
  checkAuthorizerCache(id, ttl, identitySources);
  if (identitySources[0] !== apigateway.IdentitySource.header('Authorization')) {
    throw new Error(`Invalid identitySources submitted for ${id} - the first must be the Authorization header`);
  }
  return new apigateway.RequestAuthorizer(scope, id, {
    handler,
    authorizerName: options.authorizerName,
    identitySources,
    // Always written out, 0 included, so the template states the cache behavior instead of
    // inheriting API Gateway's 300-second default.
    resultsCacheTtl: ttl,
  });
}

/** Creates a REST API TOKEN authorizer on the `Authorization` header, with a validation expression that admits every valid bearer token. */
export function createRestTokenAuthorizer(
  scope: Construct,
  id: string,
  handler: lambda.IFunction,
  defaultTtl: Duration,
  options: RestTokenAuthorizerOptions = {},
): apigateway.TokenAuthorizer {
  const ttl = options.resultsCacheTtl ?? defaultTtl;
  const identitySource = apigateway.IdentitySource.header('Authorization');
  checkAuthorizerCache(id, ttl, [identitySource]);
  const validationRegex = options.validationRegex ?? BEARER_JWT_VALIDATION_EXPRESSION;
  checkValidationExpression(validationRegex);
  return new apigateway.TokenAuthorizer(scope, id, {
    handler,
    authorizerName: options.authorizerName,
    identitySource,
    validationRegex,
    resultsCacheTtl: ttl,
  });
}

/** Creates an HTTP API Lambda authorizer with simple responses (`{"isAuthorized": …}`). */
export function createHttpLambdaAuthorizer(
  id: string,
  handler: lambda.IFunction,
  defaultTtl: Duration,
  options: HttpAuthorizerOptions = {},
): HttpLambdaAuthorizer {
  const identitySource = options.identitySource ?? ['$request.header.Authorization', '$context.routeKey'];
  const ttl = options.resultsCacheTtl ?? defaultTtl;
  checkAuthorizerCache(id, ttl, identitySource);
  if (identitySource[0] !== '$request.header.Authorization') {
    throw new Error(`Invalid identitySource submitted for ${id} - the first must be $request.header.Authorization`);
  }
  return new HttpLambdaAuthorizer(id, handler, {
    authorizerName: options.authorizerName,
    identitySource,
    responseTypes: [HttpLambdaResponseType.SIMPLE],
    resultsCacheTtl: ttl,
  });
}

/**
 * Creates API Gateway's native HTTP API JWT authorizer for this issuer. API Gateway reads
 * `<issuer>/.well-known/openid-configuration` for the JWKS URL and verifies tokens itself,
 * with no Lambda invocation, but it cannot check the deny-list (revoked tokens stay valid
 * until they expire) and it accepts RSA keys only.
 */
export function createHttpJwtAuthorizer(id: string, issuer: string, audience: string[], options: JwtAuthorizerOptions = {}): HttpJwtAuthorizer {
  if (audience.length === 0) throw new Error(`Invalid audience submitted for ${id} - the list is empty`);
  return new HttpJwtAuthorizer(id, issuer, {
    authorizerName: options.authorizerName,
    jwtAudience: audience,
    identitySource: ['$request.header.Authorization'],
  });
}

/** Returns the default issuer of a REST API stage without referencing the deployment, so functions can use it without a dependency cycle. */
export function executeApiUrl(scope: Construct, restApiId: string, stageName: string): string {
  const stack = Stack.of(scope);
  return `https://${restApiId}.execute-api.${stack.region}.${stack.urlSuffix}/${stageName}`;
}
