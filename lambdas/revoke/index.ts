/** Revocation function: `POST /oauth2/revoke` (RFC 7009). */
import { loadConfig } from '../../src/config/config.js';
import { createDependencies } from '../../src/runtime/dependencies.js';
import { createRevokeHandler } from '../../src/runtime/handlers.js';

export const handler = createRevokeHandler(createDependencies(loadConfig()));
