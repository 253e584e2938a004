/** Introspection function: `POST /oauth2/introspect` (RFC 7662). */
import { loadConfig } from '../../src/config/config.js';
import { createDependencies } from '../../src/runtime/dependencies.js';
import { createIntrospectHandler } from '../../src/runtime/handlers.js';

export const handler = createIntrospectHandler(createDependencies(loadConfig()));
