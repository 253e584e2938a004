import type { HttpRoute } from '../http/create-handler.js';
import { parseFormBody } from '../http/form-body.js';
import { jsonResponse, NO_STORE_HEADERS } from '../http/responses.js';
import type { IntrospectionService } from '../oauth/introspection.js';

/** `POST /oauth2/introspect` (RFC 7662). The response describes a token, so it must not be cached. */
export function introspectRoute(service: IntrospectionService): HttpRoute {
  return async (request) => {
    const params = parseFormBody({
      body: request.body,
      isBase64Encoded: request.isBase64Encoded,
      contentType: request.headers['content-type'],
    });
    const response = await service.introspect({ params, authorization: request.headers.authorization });
    return jsonResponse(200, response, NO_STORE_HEADERS);
  };
}
