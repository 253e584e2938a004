/** Refresh function: `POST /oauth2/refresh`. */
import { loadConfig } from '../../src/config/config.js';
import { createDependencies } from '../../src/runtime/dependencies.js';
import { createRefreshHandler } from '../../src/runtime/handlers.js';

export const handler = createRefreshHandler(createDependencies(loadConfig()));
