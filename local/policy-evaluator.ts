/**
 * Evaluates the IAM policy a Lambda authorizer returns against an execute-api ARN, the way
 * API Gateway does: an explicit Deny wins, then any Allow, otherwise the request is
 * implicitly denied. Resource patterns use IAM wildcards (`*` matches any run of characters,
 * `/` included, and `?` matches one character) and compare case-sensitively; actions compare
 * case-insensitively. Used by the local server and the tests; not deployed.
 */

export type PolicyEvaluation = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly Resource?: unknown;
}

const INVOKE_ACTION = 'execute-api:Invoke';

/** Compiles an IAM wildcard pattern into an anchored regular expression. */
export function compileIamPattern(pattern: string, ignoreCase = false): RegExp {
  let source = '';
  for (const character of pattern) {
    if (character === '*') source += '.*';
    else if (character === '?') source += '.';
    else source += character.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
}

const asList = (value: unknown): string[] => {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
  throw new TypeError('policy statement Action and Resource must be a string or an array of strings');
};

function statementMatches(statement: Statement, resourceArn: string): boolean {
  const keys = Object.keys(statement).filter((key) => key !== 'Sid');
  const unsupported = keys.filter((key) => key !== 'Effect' && key !== 'Action' && key !== 'Resource');
  // NotAction, NotResource and Condition change the meaning of a statement; fail instead of guessing.
  if (unsupported.length > 0) throw new TypeError(`policy statement element not supported: ${unsupported.join(', ')}`);
  const actionMatches = asList(statement.Action).some((action) => compileIamPattern(action, true).test(INVOKE_ACTION));
  const resourceMatches = asList(statement.Resource).some((resource) => compileIamPattern(resource).test(resourceArn));
  return actionMatches && resourceMatches;
}

/** Evaluates `policyDocument` for `execute-api:Invoke` on `resourceArn`. Throws a `TypeError` on a malformed policy. */
export function evaluatePolicy(policyDocument: unknown, resourceArn: string): PolicyEvaluation {
  if (typeof policyDocument !== 'object' || policyDocument === null) throw new TypeError('policy document must be an object');
  const { Version, Statement } = policyDocument as { Version?: unknown; Statement?: unknown };
  if (Version !== '2012-10-17') throw new TypeError('policy document Version must be "2012-10-17"');
  const statements: unknown[] = Array.isArray(Statement) ? Statement : [Statement];

  let allowed = false;
  for (const statement of statements) {
    if (typeof statement !== 'object' || statement === null) throw new TypeError('policy statement must be an object');
    const { Effect } = statement as Statement;
    if (Effect !== 'Allow' && Effect !== 'Deny') throw new TypeError('policy statement Effect must be "Allow" or "Deny"');
    if (!statementMatches(statement as Statement, resourceArn)) continue;
    if (Effect === 'Deny') return 'ExplicitDeny';
    allowed = true;
  }
  return allowed ? 'Allow' : 'ImplicitDeny';
}
