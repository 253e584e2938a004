import { OAuthError, invalidRequest } from '../oauth/errors.js';
import { FormParameters } from '../oauth/form-parameters.js';
import { checkParameter, checkParameterCount } from '../security/input-limits.js';

/** Largest accepted request body after base64 decoding, in bytes. Token requests are a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const utf8 = new TextDecoder('utf-8', { fatal: true });

export interface RawBody {
  readonly body: string | null | undefined;
  readonly isBase64Encoded?: boolean | undefined;
  /** The `Content-Type` header value. */
  readonly contentType: string | undefined;
}

/**
 * Accepts `application/x-www-form-urlencoded` (media type compared without regard to case)
 * with no charset or a UTF-8 one, as RFC 6749 appendix B requires.
 */
function checkContentType(contentType: string | undefined): void {
  if (contentType === undefined) throw invalidRequest('missing "Content-Type"; expected application/x-www-form-urlencoded');
  const [mediaType = '', ...parameters] = contentType.split(';');
  if (mediaType.trim().toLowerCase() !== 'application/x-www-form-urlencoded') {
    throw invalidRequest('unsupported "Content-Type"; expected application/x-www-form-urlencoded');
  }
  for (const parameter of parameters) {
    const [name = '', value = ''] = parameter.split('=', 2).map((part) => part.trim().toLowerCase());
    if (name === 'charset' && value.replace(/^"|"$/g, '') !== 'utf-8') {
      throw invalidRequest('unsupported charset; the request body must be UTF-8');
    }
  }
}

function decodeBody(raw: RawBody): Buffer {
  const text = raw.body ?? '';
  if (raw.isBase64Encoded !== true) return Buffer.from(text, 'utf8');
  if (!BASE64.test(text)) throw invalidRequest('the request body is not valid base64');
  return Buffer.from(text, 'base64');
}

function decodeComponent(component: string): string {
  return decodeURIComponent(component.replace(/\+/g, ' '));
}

/**
 * Parses a form-encoded request body strictly: malformed percent-encoding, bytes that are
 * not UTF-8, empty parameter names and repeated parameters (RFC 6749 section 3.2) are
 * `invalid_request`. A plain parser such as `querystring` would instead keep bad escapes
 * as text and silently drop parameters past its key limit.
 */
export function parseFormBody(raw: RawBody): FormParameters {
  checkContentType(raw.contentType);
  const bytes = decodeBody(raw);
  if (bytes.length > MAX_BODY_BYTES) {
    throw new OAuthError('invalid_request', `the request body exceeds ${MAX_BODY_BYTES} bytes`, { status: 413 });
  }
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw invalidRequest('the request body is not valid UTF-8');
  }

  const values = new Map<string, string>();
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const separator = pair.indexOf('=');
    const rawName = separator < 0 ? pair : pair.slice(0, separator);
    const rawValue = separator < 0 ? '' : pair.slice(separator + 1);
    let name: string;
    let value: string;
    try {
      name = decodeComponent(rawName);
      value = decodeComponent(rawValue);
    } catch {
      throw invalidRequest('the request body has malformed percent-encoding');
    }
    if (name === '') throw invalidRequest('the request body has a parameter without a name');
    checkParameter(name, value);
    if (values.has(name)) throw invalidRequest(`parameter "${name}" is repeated`);
    values.set(name, value);
    checkParameterCount(values.size);
  }
  return new FormParameters(values);
}
