/** Lambda authorizer for REST TOKEN, REST REQUEST and HTTP API (payload 2.0) events. */
import { createAuthorizerFromEnv } from '../../src/authorizer/runtime.js';

export const handler = createAuthorizerFromEnv();
