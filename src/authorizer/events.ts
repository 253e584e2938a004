/**
 * Recognizes the authorizer events API Gateway sends and takes from them the two things
 * the authorizer needs: the credentials and the ARN of the route being called.
 */

/** Which API Gateway integration sent the event, which decides the response format. */
export type EventKind = 'rest-token' | 'rest-request' | 'http-v2';

export interface AuthorizerInput {
  readonly kind: EventKind;
  /** REST `methodArn` or HTTP API `routeArn`. */
  readonly routeArn: string;
  /** The `Authorization` value; undefined when absent, `ambiguous` when sent more than once. */
  readonly authorization: string | undefined | typeof AMBIGUOUS;
}

export const AMBIGUOUS = Symbol('ambiguous authorization');

type UnknownRecord = Record<string, unknown>;

const isRecord = (value: unknown): value is UnknownRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Detects the event shape: REST TOKEN (`type: TOKEN`, `methodArn`), HTTP API payload 2.0
 * (`version: "2.0"`, `type: REQUEST`, `routeArn`), or REST REQUEST (`type: REQUEST`,
 * `methodArn`, which HTTP API payload 1.0 events also match). Returns undefined for any
 * other shape.
 */
export function readAuthorizerEvent(event: unknown): AuthorizerInput | undefined {
  if (!isRecord(event)) return undefined;

  if (event.type === 'TOKEN' && typeof event.methodArn === 'string') {
    const token = event.authorizationToken;
    return { kind: 'rest-token', routeArn: event.methodArn, authorization: typeof token === 'string' ? token : undefined };
  }
  if (event.type !== 'REQUEST') return undefined;

  if (event.version === '2.0' && typeof event.routeArn === 'string') {
    return { kind: 'http-v2', routeArn: event.routeArn, authorization: readAuthorization(event) };
  }
  if (event.version === undefined || event.version === '1.0') {
    if (typeof event.methodArn === 'string') {
      return { kind: 'rest-request', routeArn: event.methodArn, authorization: readAuthorization(event) };
    }
  }
  return undefined;
}

/**
 * Reads the `Authorization` header without regard to case (HTTP APIs lower-case header
 * names, REST APIs pass them as sent). Falls back to `identitySource` when the headers do
 * not carry it.
 */
function readAuthorization(event: UnknownRecord): string | undefined | typeof AMBIGUOUS {
  const values: string[] = [];
  if (isRecord(event.headers)) {
    for (const [name, value] of Object.entries(event.headers)) {
      if (name.toLowerCase() === 'authorization' && typeof value === 'string') values.push(value);
    }
  }
  if (isRecord(event.multiValueHeaders)) {
    for (const [name, value] of Object.entries(event.multiValueHeaders)) {
      if (name.toLowerCase() === 'authorization' && Array.isArray(value) && value.length > 1) return AMBIGUOUS;
    }
  }
  if (values.length > 1) return AMBIGUOUS;
  if (values.length === 1) return values[0];
  return readIdentitySource(event.identitySource);
}

/**
 * HTTP APIs send the identity sources as an array (payload 2.0); a string is taken whole.
 * With several sources, such as the header plus `$context.routeKey`, the one value with the
 * Bearer scheme is the credential.
 */
function readIdentitySource(source: unknown): string | undefined | typeof AMBIGUOUS {
  let values: string[];
  if (typeof source === 'string') values = [source];
  else if (Array.isArray(source)) values = source.filter((value): value is string => typeof value === 'string');
  else return undefined;

  values = values.filter((value) => value.trim() !== '');
  if (values.length <= 1) return values[0];
  const bearer = values.filter((value) => /^bearer /i.test(value.trim()));
  if (bearer.length > 1) return AMBIGUOUS;
  return bearer[0];
}
