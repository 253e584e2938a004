/**
 * esbuild options of the Lambda bundles, shared by the CDK functions (`lib/functions.ts`) and the
 * cold-start benchmark, so the benchmark measures the bundles the stack deploys.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * ES modules have no `require`, but some bundled CommonJS dependencies call it for Node.js
 * built-ins, so the bundle defines one.
 */
export const REQUIRE_BANNER = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

/**
 * Module replacements. The SDK's default credential chain becomes the environment-variable
 * provider, because Lambda puts the execution role's credentials in environment variables.
 * This drops about 130 KB per bundle (esbuild metafile of the authorizer, SDK 3.972).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  '@aws-sdk/credential-provider-node': join(dirname(fileURLToPath(import.meta.url)), 'credentials-from-env.ts'),
};

/** The esbuild settings of every bundle, in esbuild's own option names. */
export const BUNDLE_OPTIONS = {
  platform: 'node',
  target: 'node22',
  format: 'esm',
  mainFields: ['module', 'main'],
  banner: REQUIRE_BANNER,
  minify: true,
  alias: BUNDLE_ALIASES,
} as const;

/** `BUNDLE_ALIASES` as esbuild command-line arguments, for `NodejsFunction`'s `esbuildArgs`. */
export function aliasArguments(): string[] {
  return Object.entries(BUNDLE_ALIASES).map(([name, path]) => `${name}=${path}`);
}
