// Test-wide environment: quiet logs and a cheaper scrypt cost so password tests stay fast.
// Production defaults are covered by their own tests in password-hash.test.ts.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
process.env.SCRYPT_N ??= '16384';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
