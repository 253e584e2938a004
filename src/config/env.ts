/**
 * Typed readers for environment variables. A value that is set but invalid throws a
 * `TypeError` naming the variable, so a misconfigured function fails at cold start
 * instead of on the first request.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** Returns the trimmed value, or `undefined` when the variable is unset or empty. */
export function readOptionalString(env: Env, key: string): string | undefined {
  const raw = env[key];
  if (raw === undefined) return undefined;
  const value = raw.trim();
  return value === '' ? undefined : value;
}

export function readString(env: Env, key: string, defaultValue: string): string {
  return readOptionalString(env, key) ?? defaultValue;
}

/** Reads a whole number within `[min, max]`; decimals, signs on zero-bounded values and junk are rejected. */
export function readInteger(
  env: Env,
  key: string,
  defaultValue: number,
  bounds: { min: number; max: number },
): number {
  const raw = readOptionalString(env, key);
  if (raw === undefined) return defaultValue;
  if (!/^-?\d+$/.test(raw)) {
    throw new TypeError(`environment variable ${key} must be a whole number, got "${raw}"`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < bounds.min || value > bounds.max) {
    throw new TypeError(
      `environment variable ${key} must be between ${bounds.min} and ${bounds.max}, got ${raw}`,
    );
  }
  return value;
}

export function readBoolean(env: Env, key: string, defaultValue: boolean): boolean {
  const raw = readOptionalString(env, key);
  if (raw === undefined) return defaultValue;
  const lower = raw.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw new TypeError(`environment variable ${key} must be "true" or "false", got "${raw}"`);
}

/** Reads a comma-separated list, dropping empty entries. */
export function readList(env: Env, key: string, defaultValue: readonly string[]): string[] {
  const raw = readOptionalString(env, key);
  if (raw === undefined) return [...defaultValue];
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
