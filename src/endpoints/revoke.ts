import type { Logger } from '@aws-lambda-powertools/logger';
import type { HttpRoute } from '../http/create-handler.js';
import { parseFormBody } from '../http/form-body.js';
import { NO_STORE_HEADERS, type HttpResponse } from '../http/responses.js';
import type { RevocationService } from '../oauth/revocation.js';

/** `POST /oauth2/revoke` (RFC 7009). Success is 200 with an empty body, whatever the token was. */
export function revokeRoute(service: RevocationService, logger: Logger): HttpRoute {
  return async (request): Promise<HttpResponse> => {
    const params = parseFormBody({
      body: request.body,
      isBase64Encoded: request.isBase64Encoded,
      contentType: request.headers['content-type'],
    });
    const result = await service.revoke({ params, authorization: request.headers.authorization });
    logger.info('revocation processed', { ...result });
    return { statusCode: 200, headers: { ...NO_STORE_HEADERS }, body: '' };
  };
}
