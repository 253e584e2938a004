import type { HttpRoute } from '../http/create-handler.js';
import { parseFormBody } from '../http/form-body.js';
import { jsonResponse, NO_STORE_HEADERS } from '../http/responses.js';
import { OAuthError } from '../oauth/errors.js';
import type { TokenService } from '../oauth/token-service.js';

/**
 * `POST /oauth2/refresh`: the refresh grant alone. `grant_type` may be omitted; any value
 * other than `refresh_token` is `unsupported_grant_type`, so this function never runs
 * another grant.
 */
export function refreshRoute(service: TokenService): HttpRoute {
  return async (request) => {
    const params = parseFormBody({
      body: request.body,
      isBase64Encoded: request.isBase64Encoded,
      contentType: request.headers['content-type'],
    });
    const grantType = params.get('grant_type');
    if (grantType !== undefined && grantType !== 'refresh_token') {
      throw new OAuthError('unsupported_grant_type', 'this endpoint supports only the refresh_token grant', {
        detail: `grant_type of length ${grantType.length} at the refresh endpoint`,
      });
    }
    const response = await service.token({ params, authorization: request.headers.authorization }, 'refresh_token');
    return jsonResponse(200, response, NO_STORE_HEADERS);
  };
}
