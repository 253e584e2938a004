/**
 * Route-to-scope rules. A rule pairs a route pattern with the scopes a token must hold to
 * call the routes it matches. Patterns are matched the way IAM matches the `Resource` of an
 * execute-api policy, so the policy the authorizer returns and the decision it logs agree.
 */

/** Method names a rule may name; `*` or `ANY` matches every method. */
const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Visible ASCII without `?` (a single-character IAM wildcard) and without `#`. */
const PATH_PATTERN = /^\/[\x21\x22\x24-\x3E\x40-\x7E]*$/;

/** RFC 6749 section 3.3 scope token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export interface ScopeRule {
  /** The rule as written in the configuration, for logs. */
  readonly key: string;
  /**
   * The route part of an execute-api ARN that the rule covers: the method (or `*`)
   * followed by the path pattern, for example `GET/orders/*`.
   */
  readonly resource: string;
  /** Every scope a token needs for the routes the rule matches. */
  readonly scopes: readonly string[];
  readonly matcher: RegExp;
}

/**
 * Compiles an IAM resource pattern into an anchored regular expression: `*` matches any
 * sequence of characters, `/` included, and every other character matches itself.
 */
export function compileResourcePattern(pattern: string): RegExp {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`, 's');
}

/**
 * Parses the `SCOPE_RULES` setting: a JSON object whose keys are `METHOD /path` patterns
 * and whose values are space-separated scopes, all of which are required. Throws a
 * `TypeError` naming the offending rule.
 *
 * @example parseScopeRules('{"GET /orders/*":"orders:read","* /admin/*":"admin"}')
 */
export function parseScopeRules(json: string, variable = 'SCOPE_RULES'): ScopeRule[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new TypeError(`environment variable ${variable} must be a JSON object, got invalid JSON`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TypeError(`environment variable ${variable} must be a JSON object of "METHOD /path": "scope" entries`);
  }
  return Object.entries(parsed).map(([key, value]) => compileRule(key, value, variable));
}

function compileRule(key: string, value: unknown, variable: string): ScopeRule {
  const match = /^(\S+) (\S+)$/.exec(key);
  if (match === null) {
    throw new TypeError(`${variable} rule "${key}" must have the form "METHOD /path"`);
  }
  const method = match[1]!.toUpperCase();
  const path = match[2]!;
  if (method !== '*' && method !== 'ANY' && !HTTP_METHODS.has(method)) {
    throw new TypeError(`${variable} rule "${key}" has an unknown method; use one of ${[...HTTP_METHODS].join(', ')}, ANY or *`);
  }
  if (!PATH_PATTERN.test(path)) {
    throw new TypeError(`${variable} rule "${key}" must have a path that starts with "/" and contains no "?", "#" or spaces`);
  }
  if (typeof value !== 'string') {
    throw new TypeError(`${variable} rule "${key}" must map to a string of space-separated scopes`);
  }
  const scopes = value.split(' ');
  if (scopes.some((scope) => !SCOPE_TOKEN.test(scope))) {
    throw new TypeError(`${variable} rule "${key}" must map to space-separated scopes, got "${value}"`);
  }
  const resource = `${method === 'ANY' ? '*' : method}${path}`;
  return { key, resource, scopes: [...new Set(scopes)], matcher: compileResourcePattern(resource) };
}

/** Returns the rules that match a route (`GET/orders/1`, the route part of its execute-api ARN). */
export function matchingRules(rules: readonly ScopeRule[], route: string): ScopeRule[] {
  return rules.filter((rule) => rule.matcher.test(route));
}

/** True when `granted` contains every scope the rule requires. */
export function isRuleSatisfied(rule: ScopeRule, granted: ReadonlySet<string>): boolean {
  return rule.scopes.every((scope) => granted.has(scope));
}
