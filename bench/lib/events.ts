import type { APIGatewayProxyEvent, APIGatewayRequestAuthorizerEvent } from 'aws-lambda';

const IDENTITY: APIGatewayProxyEvent['requestContext']['identity'] = {
  accessKey: null,
  accountId: null,
  apiKey: null,
  apiKeyId: null,
  caller: null,
  clientCert: null,
  cognitoAuthenticationProvider: null,
  cognitoAuthenticationType: null,
  cognitoIdentityId: null,
  cognitoIdentityPoolId: null,
  principalOrgId: null,
  sourceIp: '127.0.0.1',
  user: null,
  userAgent: 'bench',
  userArn: null,
};

function requestContext(method: string, path: string): APIGatewayProxyEvent['requestContext'] {
  return {
    accountId: '000000000000',
    apiId: 'bench',
    authorizer: undefined,
    protocol: 'HTTP/1.1',
    httpMethod: method,
    identity: IDENTITY,
    path,
    stage: 'prod',
    requestId: 'bench-request',
    requestTimeEpoch: 0,
    resourceId: 'bench',
    resourcePath: path,
  };
}

/** A REST API proxy event (payload format 1.0) as API Gateway sends it to the endpoint functions. */
export function proxyEvent(method: 'GET' | 'POST', path: string, headers: Record<string, string>, body: string | null): APIGatewayProxyEvent {
  return {
    resource: path,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body,
    isBase64Encoded: false,
    requestContext: requestContext(method, path),
  };
}

/** A form POST with client_secret_basic authentication. */
export function formPost(path: string, clientId: string, clientSecret: string, form: Record<string, string>): APIGatewayProxyEvent {
  const credentials = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  return proxyEvent(
    'POST',
    path,
    { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${credentials}` },
    new URLSearchParams(form).toString(),
  );
}

/** A REST API REQUEST authorizer event for `GET /demo/me` carrying `authorization`. */
export function requestAuthorizerEvent(authorization: string): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn: 'arn:aws:execute-api:us-east-1:000000000000:bench/prod/GET/demo/me',
    resource: '/demo/me',
    path: '/demo/me',
    httpMethod: 'GET',
    headers: { Authorization: authorization },
    multiValueHeaders: { Authorization: [authorization] },
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { ...requestContext('GET', '/demo/me'), authorizer: undefined },
  };
}
