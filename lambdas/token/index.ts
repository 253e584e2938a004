/** Token endpoint function: `POST /oauth2/token`. */
import { loadConfig } from '../../src/config/config.js';
import { createDependencies } from '../../src/runtime/dependencies.js';
import { createTokenHandler } from '../../src/runtime/handlers.js';

export const handler = createTokenHandler(createDependencies(loadConfig()));
