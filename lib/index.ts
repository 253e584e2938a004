/** Public entry point of the CDK constructs. */
export { AuthBackend, type AuthBackendFunctions } from './auth-backend.js';
export { AuthBackendStack, type AuthBackendStackProps } from './auth-backend-stack.js';
export {
  BEARER_JWT_VALIDATION_EXPRESSION,
  checkAuthorizerCache,
  checkValidationExpression,
  type HttpAuthorizerOptions,
  type JwtAuthorizerOptions,
  type RestAuthorizerOptions,
  type RestTokenAuthorizerOptions,
} from './authorizers.js';
export { BackendFunction, type BackendFunctionProps } from './functions.js';
export { AuthBackendMonitoring, type AuthBackendMonitoringProps } from './monitoring.js';
export { DEFAULT_MEMORY_SIZES, type AuthBackendProps, type FunctionMemorySizes, type ThrottleLimits, type WafOption } from './props.js';
