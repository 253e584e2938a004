import { isRuleSatisfied, matchingRules, type ScopeRule } from './scope-rules.js';

/** An execute-api ARN split where the route begins. */
export interface RouteArn {
  /** Everything up to and including the stage: `arn:aws:execute-api:region:account:api-id/stage/`. */
  readonly stagePrefix: string;
  /** The method and path (`GET/orders/1`), or `$default` for an HTTP API's default route. */
  readonly route: string;
}

/** `arn:partition:execute-api:region:account:api-id/stage/route`. */
const EXECUTE_API_ARN = /^(arn:[a-z-]+:execute-api:[^:/]+:[^:/]+:[^:/]+\/[^/]+\/)([^/]+(?:\/.*)?)$/s;

/** Splits a REST `methodArn` or an HTTP API `routeArn`; returns undefined for anything else. */
export function parseRouteArn(arn: string): RouteArn | undefined {
  const match = EXECUTE_API_ARN.exec(arn);
  if (match === null) return undefined;
  return { stagePrefix: match[1]!, route: match[2]! };
}

export interface PolicyStatement {
  readonly Action: 'execute-api:Invoke';
  readonly Effect: 'Allow' | 'Deny';
  readonly Resource: string[];
}

export interface PolicyDocument {
  readonly Version: '2012-10-17';
  readonly Statement: PolicyStatement[];
}

/** Returns the rules matching `route` whose scopes `granted` lacks. */
export function unsatisfiedRules(rules: readonly ScopeRule[], route: string, granted: ReadonlySet<string>): ScopeRule[] {
  return matchingRules(rules, route).filter((rule) => !isRuleSatisfied(rule, granted));
}

/**
 * Builds the policy for a token with scopes `granted`, valid for every route of the stage,
 * because API Gateway caches it per token and applies it to later requests on other routes.
 *
 * Allow lists each rule the token satisfies plus the whole stage (`stage/*`); Deny lists
 * each rule it does not satisfy. IAM lets an explicit Deny win over any Allow, so a route
 * is allowed exactly when every rule matching it is satisfied, which is the same test
 * {@link unsatisfiedRules} applies to the current request.
 */
export function buildPolicy(stagePrefix: string, rules: readonly ScopeRule[], granted: ReadonlySet<string>): PolicyDocument {
  const allowed: string[] = [];
  const denied: string[] = [];
  for (const rule of rules) {
    (isRuleSatisfied(rule, granted) ? allowed : denied).push(`${stagePrefix}${rule.resource}`);
  }
  allowed.push(`${stagePrefix}*`);

  const statements: PolicyStatement[] = [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: [...new Set(allowed)] }];
  if (denied.length > 0) statements.push({ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: [...new Set(denied)] });
  return { Version: '2012-10-17', Statement: statements };
}
