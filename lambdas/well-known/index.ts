/** Discovery function: `GET /.well-known/jwks.json` and `GET /.well-known/oauth-authorization-server`. */
import { loadConfig } from '../../src/config/config.js';
import { createDependencies } from '../../src/runtime/dependencies.js';
import { createWellKnownHandler } from '../../src/runtime/handlers.js';

export const handler = createWellKnownHandler(createDependencies(loadConfig()));
