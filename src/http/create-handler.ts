import middy from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpSecurityHeaders from '@middy/http-security-headers';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';
import { recordOAuthError } from '../metrics/metrics.js';
import { OAuthError } from '../oauth/errors.js';
import { oauthErrorResponse, type HttpResponse } from './responses.js';

/** An API Gateway REST proxy request after header normalization (header names lower-cased). */
export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string | null;
  readonly isBase64Encoded: boolean;
}

export type HttpRoute = (request: HttpRequest) => Promise<HttpResponse>;

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<HttpResponse>;

/**
 * Maps an error that is not an `OAuthError` to one. Unknown errors become `server_error`;
 * the fault-handling layer can add mappings (for example throttling to `temporarily_unavailable`).
 */
export type ErrorClassifier = (error: unknown) => OAuthError;

/**
 * The middleware would send an empty `Reporting-Endpoints` header because this API has no
 * reporting collector, so it is switched off. @middy/http-security-headers 6.4 accepts the
 * option at run time but its type declarations lack it, hence the cast.
 */
const SECURITY_HEADER_OPTIONS = { reportingEndpoints: false, reportTo: false } as Parameters<typeof httpSecurityHeaders>[0];

const defaultClassifier: ErrorClassifier = (error) =>
  new OAuthError('server_error', 'the server encountered an unexpected error', { cause: error });

/**
 * Wraps an endpoint in the middy chain shared by all HTTP functions: Lambda context in the
 * logs, lower-cased headers, security headers, and RFC 6749 error responses. The route only
 * parses, calls the core and builds the response.
 */
export function createHttpHandler(
  logger: Logger,
  route: HttpRoute,
  classify: ErrorClassifier = defaultClassifier,
): ProxyHandler {
  const core = async (event: APIGatewayProxyEvent): Promise<HttpResponse> =>
    route({
      method: event.httpMethod,
      path: event.path,
      headers: event.headers ?? {},
      body: event.body,
      isBase64Encoded: event.isBase64Encoded === true,
    });

  return middy<APIGatewayProxyEvent, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpHeaderNormalizer())
    .use(httpSecurityHeaders(SECURITY_HEADER_OPTIONS))
    .use({
      onError: async (request) => {
        const error = request.error instanceof OAuthError ? request.error : classify(request.error);
        recordOAuthError(error.code);
        if (error.status >= 500) {
          logger.error('request failed', { error: error.code, detail: error.detail, cause: request.error });
        } else {
          logger.info('request rejected', { error: error.code, detail: error.detail });
        }
        request.response = oauthErrorResponse(error);
      },
    })
    .handler(core) as unknown as ProxyHandler;
}
