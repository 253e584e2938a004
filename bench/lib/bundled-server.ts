import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

type LocalServerModule = typeof import('../../local/app.js');

/** Output folder of the compiled server, inside node_modules so that its external imports resolve. */
const OUTPUT_DIR = join('node_modules', '.cache', 'auth-bench');

/**
 * Compiles the local server and the production modules it imports the way the Lambda
 * bundles are compiled (esbuild, minified, no `keepNames`), with npm packages left external,
 * and imports the result. tsx, which runs the rest of the benchmark, wraps every function in
 * a naming helper that production code never runs.
 */
export async function importBundledLocalServer(): Promise<LocalServerModule> {
  mkdirSync(OUTPUT_DIR, { recursive: true });
  const outfile = join(OUTPUT_DIR, `local-app-${process.pid}.mjs`);
  await build({
    entryPoints: [join('local', 'app.ts')],
    outfile,
    bundle: true,
    packages: 'external',
    platform: 'node',
    target: 'node20',
    format: 'esm',
    minify: true,
    logLevel: 'error',
  });
  try {
    return (await import(pathToFileURL(outfile).href)) as LocalServerModule;
  } finally {
    // The module stays loaded; the file is needed only for the import.
    rmSync(outfile, { force: true });
  }
}
