import type { HttpRoute } from '../http/create-handler.js';
import { parseFormBody } from '../http/form-body.js';
import { jsonResponse, NO_STORE_HEADERS } from '../http/responses.js';
import type { TokenService } from '../oauth/token-service.js';

/** `POST /oauth2/token`. */
export function tokenRoute(service: TokenService): HttpRoute {
  return async (request) => {
    const params = parseFormBody({
      body: request.body,
      isBase64Encoded: request.isBase64Encoded,
      contentType: request.headers['content-type'],
    });
    const response = await service.token({ params, authorization: request.headers.authorization });
    return jsonResponse(200, response, NO_STORE_HEADERS);
  };
}
