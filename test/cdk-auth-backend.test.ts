/**
 * Template assertions on the synthesized stack. The stack is synthesized once, with real
 * esbuild bundling, and every test reads the same template. Nothing reaches AWS.
 */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AuthBackendStack } from '../lib/auth-backend-stack.js';
import {
  BEARER_JWT_VALIDATION_EXPRESSION,
  checkAuthorizerCache,
  checkValidationExpression,
  createRestRequestAuthorizer,
  createRestTokenAuthorizer,
} from '../lib/authorizers.js';
import { resolveProps } from '../lib/props.js';

type Resource = { Type: string; Properties?: Record<string, unknown>; DependsOn?: string[]; DeletionPolicy?: string; UpdateReplacePolicy?: string };
type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: Record<string, Record<string, unknown>> };

/** Descriptions of the backend's functions, the way the construct sets them. */
const FUNCTIONS = {
  token: 'OAuth 2.0 token endpoint',
  refresh: 'Refresh-token endpoint',
  revoke: 'RFC 7009 token revocation',
  introspect: 'RFC 7662 token introspection',
  wellKnown: 'JWKS and authorization server metadata',
  authorizer: 'Lambda authorizer for APIs that accept these access tokens',
  keyRotation: 'Creates and rotates the JWT signing keys',
} as const;
type FunctionName = keyof typeof FUNCTIONS;

let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  const app = new App();
  const stack = new AuthBackendStack(app, 'TestAuthBackend', { env: { account: '123456789012', region: 'eu-west-1' } });
  template = Template.fromStack(stack);
  resources = template.toJSON().Resources as Record<string, Resource>;
});

const ofType = (type: string): [string, Resource][] => Object.entries(resources).filter(([, resource]) => resource.Type === type);

function functionId(name: FunctionName): string {
  const found = ofType('AWS::Lambda::Function').find(([, resource]) => resource.Properties?.Description === FUNCTIONS[name]);
  if (found === undefined) throw new Error(`function "${name}" not found in the template`);
  return found[0];
}

function roleId(name: FunctionName): string {
  const role = resources[functionId(name)]?.Properties?.Role as { 'Fn::GetAtt': [string, string] };
  return role['Fn::GetAtt'][0];
}

/** Collects every statement of every inline policy attached to the function's role. */
function statementsOf(name: FunctionName): Statement[] {
  const role = roleId(name);
  return ofType('AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties?.Roles as { Ref: string }[]).some((ref) => ref.Ref === role))
    .flatMap(([, policy]) => (policy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (statements: Statement[]): string[] => statements.flatMap((statement) => [statement.Action].flat());
const secretId = (prefix: string): string => {
  const found = ofType('AWS::SecretsManager::Secret').find(([id]) => id.startsWith(prefix));
  if (found === undefined) throw new Error(`secret ${prefix} not found`);
  return found[0];
};

/** DynamoDB actions a function may use, each with the partition-key patterns it may touch. */
function tableAccess(name: FunctionName): Record<string, string[]> {
  const access: Record<string, string[]> = {};
  for (const statement of statementsOf(name)) {
    for (const action of [statement.Action].flat().filter((candidate) => candidate.startsWith('dynamodb:'))) {
      const leadingKeys = statement.Condition?.['ForAllValues:StringLike']?.['dynamodb:LeadingKeys'] as string[] | undefined;
      if (leadingKeys === undefined) throw new Error(`${name}: ${action} has no dynamodb:LeadingKeys condition`);
      access[action] = [...(access[action] ?? []), ...leadingKeys].sort();
    }
  }
  return access;
}

/** Secrets a function may read, by logical id prefix. */
function readableSecrets(name: FunctionName): string[] {
  return statementsOf(name)
    .filter((statement) => actionsOf([statement]).includes('secretsmanager:GetSecretValue'))
    .map((statement) => JSON.stringify(statement.Resource))
    .map((resource) => (resource.includes(secretId('AuthBackendSigningKeys')) ? 'signing' : resource.includes(secretId('AuthBackendRefreshTokenKey')) ? 'refresh' : resource))
    .sort();
}

describe('table', () => {
  it('uses the single-table layout', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        { IndexName: 'bySubject', KeySchema: [{ AttributeName: 'subject', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } },
      ],
    });
  });

  it('has production settings', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('is retained on stack deletion', () => {
    template.hasResource('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

describe('functions', () => {
  it.each(Object.keys(FUNCTIONS) as FunctionName[])('%s runs nodejs22.x on arm64', (name) => {
    const properties = resources[functionId(name)]?.Properties;
    expect(properties?.Runtime).toBe('nodejs22.x');
    expect(properties?.Architectures).toEqual(['arm64']);
    expect(properties?.Handler).toBe('index.handler');
  });

  it.each(Object.keys(FUNCTIONS) as FunctionName[])('%s logs to a group with retention', (name) => {
    const logGroup = (resources[functionId(name)]?.Properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(resources[logGroup]?.Properties?.RetentionInDays).toBe(30);
  });

  it.each(Object.keys(FUNCTIONS) as FunctionName[])('%s has no AWS managed policy', (name) => {
    expect(resources[roleId(name)]?.Properties?.ManagedPolicyArns).toBeUndefined();
  });

  it('enables source maps', () => {
    const environment = resources[functionId('token')]?.Properties?.Environment as { Variables: Record<string, unknown> };
    expect(environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });

  it('keeps secret values out of the environment', () => {
    for (const name of Object.keys(FUNCTIONS) as FunctionName[]) {
      const variables = (resources[functionId(name)]?.Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      const rendered = JSON.stringify(variables);
      expect(rendered).not.toMatch(/resolve:secretsmanager/);
      expect(rendered).not.toMatch(/SecretString/);
    }
  });
});

describe('least privilege', () => {
  it('token: reads and writes only its items', () => {
    expect(tableAccess('token')).toEqual({
      'dynamodb:BatchGetItem': ['CLIENT#*', 'LOCK#*'],
      'dynamodb:GetItem': ['CLIENT#*', 'FAMILY#*', 'JWKS', 'USER#*'],
      'dynamodb:PutItem': ['DENY#*', 'FAMILY#*'],
      'dynamodb:UpdateItem': ['FAMILY#*', 'LOCK#*', 'USER#*'],
    });
    expect(readableSecrets('token')).toEqual(['refresh', 'signing']);
  });

  it('refresh: rotates families only', () => {
    expect(tableAccess('refresh')).toEqual({
      'dynamodb:BatchGetItem': ['CLIENT#*', 'LOCK#*'],
      'dynamodb:GetItem': ['CLIENT#*', 'FAMILY#*', 'JWKS', 'USER#*'],
      'dynamodb:PutItem': ['DENY#*'],
      'dynamodb:UpdateItem': ['FAMILY#*', 'LOCK#*'],
    });
    expect(readableSecrets('refresh')).toEqual(['refresh', 'signing']);
  });

  it('revoke: no signing key', () => {
    expect(tableAccess('revoke')).toEqual({
      'dynamodb:BatchGetItem': ['CLIENT#*', 'LOCK#*'],
      'dynamodb:GetItem': ['CLIENT#*', 'FAMILY#*', 'JWKS'],
      'dynamodb:PutItem': ['DENY#*'],
      'dynamodb:UpdateItem': ['FAMILY#*', 'LOCK#*'],
    });
    expect(readableSecrets('revoke')).toEqual(['refresh']);
  });

  it('introspect: writes lockout items only', () => {
    expect(tableAccess('introspect')).toEqual({
      'dynamodb:BatchGetItem': ['CLIENT#*', 'DENY#*', 'LOCK#*'],
      'dynamodb:GetItem': ['CLIENT#*', 'FAMILY#*', 'JWKS', 'USER#*'],
      'dynamodb:UpdateItem': ['LOCK#*'],
    });
    expect(readableSecrets('introspect')).toEqual(['refresh']);
  });

  it('well-known: reads the published JWKS only', () => {
    expect(tableAccess('wellKnown')).toEqual({ 'dynamodb:GetItem': ['JWKS'] });
    expect(readableSecrets('wellKnown')).toEqual([]);
  });

  it('authorizer: reads the deny-list, writes nothing', () => {
    expect(tableAccess('authorizer')).toEqual({
      'dynamodb:BatchGetItem': ['DENY#*'],
      'dynamodb:GetItem': ['DENY#*', 'JWKS'],
    });
    expect(readableSecrets('authorizer')).toEqual([]);
    const actions = actionsOf(statementsOf('authorizer'));
    for (const write of ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) {
      expect(actions).not.toContain(write);
    }
  });

  it('key rotation: its secret and the JWKS item', () => {
    expect(tableAccess('keyRotation')).toEqual({ 'dynamodb:GetItem': ['JWKS'], 'dynamodb:PutItem': ['JWKS'] });
    const secretStatements = statementsOf('keyRotation').filter((statement) => actionsOf([statement]).includes('secretsmanager:PutSecretValue'));
    expect(secretStatements).toHaveLength(1);
    expect(JSON.stringify(secretStatements[0]?.Resource)).toContain(secretId('AuthBackendSigningKeys'));
  });

  it.each(Object.keys(FUNCTIONS) as FunctionName[])('%s deletes no items', (name) => {
    expect(tableAccess(name)['dynamodb:DeleteItem']).toBeUndefined();
  });

  it.each(Object.keys(FUNCTIONS) as FunctionName[])('%s has no wide action or resource', (name) => {
    for (const statement of statementsOf(name)) {
      for (const action of actionsOf([statement])) {
        expect(action).not.toMatch(/\*/);
        expect(['dynamodb:Scan', 'dynamodb:Query', 'dynamodb:BatchWriteItem', 'secretsmanager:DeleteSecret']).not.toContain(action);
      }
      // GetRandomPassword has no resource-level permission; the rotation schedule adds it.
      if (statement.Resource === '*') expect(statement.Action).toBe('secretsmanager:GetRandomPassword');
    }
  });
});

describe('REST API', () => {
  const restApiId = (name: string): string => {
    const found = ofType('AWS::ApiGateway::RestApi').find(([id]) => id.startsWith(name));
    if (found === undefined) throw new Error(`REST API ${name} not found`);
    return found[0];
  };

  /** Maps each method's full path (`POST /oauth2/token`) of one REST API to its resource. */
  function methodsOf(apiPrefix: string): Map<string, Resource> {
    const api = restApiId(apiPrefix);
    const paths = new Map<string, string>();
    const pathOf = (resourceId: string): string => {
      const cached = paths.get(resourceId);
      if (cached !== undefined) return cached;
      const properties = resources[resourceId]?.Properties ?? {};
      const parent = properties.ParentId as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
      const parentPath = parent.Ref !== undefined ? pathOf(parent.Ref) : '';
      const path = `${parentPath}/${String(properties.PathPart)}`;
      paths.set(resourceId, path);
      return path;
    };
    const methods = new Map<string, Resource>();
    for (const [, method] of ofType('AWS::ApiGateway::Method')) {
      if ((method.Properties?.RestApiId as { Ref: string }).Ref !== api) continue;
      const resource = method.Properties?.ResourceId as { Ref?: string };
      const path = resource.Ref === undefined ? '/' : pathOf(resource.Ref);
      methods.set(`${String(method.Properties?.HttpMethod)} ${path}`, method);
    }
    return methods;
  }

  const ROUTES: [string, FunctionName][] = [
    ['POST /oauth2/token', 'token'],
    ['POST /oauth2/refresh', 'refresh'],
    ['POST /oauth2/revoke', 'revoke'],
    ['POST /oauth2/introspect', 'introspect'],
    ['GET /.well-known/jwks.json', 'wellKnown'],
    ['GET /.well-known/oauth-authorization-server', 'wellKnown'],
    ['GET /.well-known/openid-configuration', 'wellKnown'],
  ];

  it('has exactly the contract routes', () => {
    expect([...methodsOf('AuthBackendApi').keys()].sort()).toEqual(ROUTES.map(([route]) => route).sort());
  });

  it.each(ROUTES)('%s invokes the %s function', (route, name) => {
    const method = methodsOf('AuthBackendApi').get(route);
    const integration = method?.Properties?.Integration as { Type: string; IntegrationHttpMethod: string; Uri: unknown };
    expect(integration.Type).toBe('AWS_PROXY');
    expect(integration.IntegrationHttpMethod).toBe('POST');
    expect(JSON.stringify(integration.Uri)).toContain(`"${functionId(name)}","Arn"`);
  });

  it('throttles the token methods harder', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      RestApiId: { Ref: restApiId('AuthBackendApi') },
      StageName: 'prod',
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ResourcePath: '/*', HttpMethod: '*', ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200, LoggingLevel: 'ERROR', DataTraceEnabled: false }),
        Match.objectLike({ ResourcePath: '/~1oauth2~1token', HttpMethod: 'POST', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }),
        Match.objectLike({ ResourcePath: '/~1oauth2~1refresh', HttpMethod: 'POST', ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 }),
      ]),
    });
  });

  it('writes access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      RestApiId: { Ref: restApiId('AuthBackendApi') },
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('is a regional endpoint', () => {
    expect(resources[restApiId('AuthBackendApi')]?.Properties?.EndpointConfiguration).toEqual({ Types: ['REGIONAL'] });
  });

  describe('example REST API', () => {
    it('uses a REQUEST authorizer on Authorization', () => {
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        RestApiId: { Ref: restApiId('ExampleRestApi') },
        Type: 'REQUEST',
        IdentitySource: 'method.request.header.Authorization,context.httpMethod,context.resourcePath',
        AuthorizerResultTtlInSeconds: 0,
      });
    });

    it('invokes the authorizer function', () => {
      const [, authorizer] = ofType('AWS::ApiGateway::Authorizer')[0] ?? [];
      expect(JSON.stringify(authorizer?.Properties?.AuthorizerUri)).toContain(`"${functionId('authorizer')}","Arn"`);
    });

    it.each(['GET /demo/me', 'GET /demo/admin'])('%s requires the authorizer', (route) => {
      const method = methodsOf('ExampleRestApi').get(route);
      expect(method?.Properties?.AuthorizationType).toBe('CUSTOM');
      const [authorizerId] = ofType('AWS::ApiGateway::Authorizer')[0] ?? [];
      expect(method?.Properties?.AuthorizerId).toEqual({ Ref: authorizerId });
    });

    it('scopes the invoke permission to its authorizers', () => {
      const permissions = ofType('AWS::Lambda::Permission').filter(
        ([, permission]) =>
          JSON.stringify(permission.Properties?.FunctionName).includes(functionId('authorizer')) &&
          permission.Properties?.Principal === 'apigateway.amazonaws.com',
      );
      expect(permissions.length).toBeGreaterThanOrEqual(2);
      for (const [, permission] of permissions) {
        const sourceArn = JSON.stringify(permission.Properties?.SourceArn);
        expect(sourceArn).toContain('/authorizers/');
        expect(sourceArn).toMatch(/ExampleRestApi|ExampleHttpApi/);
      }
    });
  });
});

describe('example HTTP API', () => {
  const authorizers = (): Resource[] => ofType('AWS::ApiGatewayV2::Authorizer').map(([, resource]) => resource);

  it('uses a simple-response Lambda authorizer', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'REQUEST',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: ['$request.header.Authorization', '$context.routeKey'],
    });
  });

  it('uses the native JWT authorizer with the issuer', () => {
    const jwt = authorizers().find((authorizer) => authorizer.Properties?.AuthorizerType === 'JWT');
    const configuration = jwt?.Properties?.JwtConfiguration as { Issuer: unknown; Audience: unknown[] };
    expect(JSON.stringify(configuration.Issuer)).toContain('.execute-api.');
    expect(configuration.Audience).toHaveLength(1);
    expect(jwt?.Properties?.IdentitySource).toEqual(['$request.header.Authorization']);
  });

  it.each([
    ['GET /demo/me', 'REQUEST'],
    ['GET /demo/admin', 'REQUEST'],
    ['GET /demo/jwt', 'JWT'],
  ])('%s uses the %s authorizer', (routeKey, type) => {
    const route = ofType('AWS::ApiGatewayV2::Route').find(([, resource]) => resource.Properties?.RouteKey === routeKey)?.[1];
    expect(route?.Properties?.AuthorizationType).toBe(type === 'JWT' ? 'JWT' : 'CUSTOM');
    const authorizerId = (route?.Properties?.AuthorizerId as { Ref: string }).Ref;
    expect(resources[authorizerId]?.Properties?.AuthorizerType).toBe(type);
  });

  it('throttles and logs the stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.anyValue() },
    });
  });
});

describe('signing keys', () => {
  it('rotates the signing-key secret on a schedule', () => {
    template.hasResourceProperties('AWS::SecretsManager::RotationSchedule', {
      SecretId: { Ref: secretId('AuthBackendSigningKeys') },
      RotationLambdaARN: { 'Fn::GetAtt': [functionId('keyRotation'), 'Arn'] },
      RotationRules: { ScheduleExpression: 'rate(30 days)' },
      RotateImmediatelyOnUpdate: false,
    });
  });

  it('initializes keys before the schedule exists', () => {
    const [initializationId, initialization] = ofType('Custom::SigningKeySet')[0] ?? [];
    expect(initialization?.Properties?.ServiceToken).toEqual({ 'Fn::GetAtt': [functionId('keyRotation'), 'Arn'] });
    const [, schedule] = ofType('AWS::SecretsManager::RotationSchedule')[0] ?? [];
    expect(schedule?.DependsOn).toContain(initializationId);
  });

  it('never rotates the refresh-token key', () => {
    const schedules = ofType('AWS::SecretsManager::RotationSchedule');
    expect(schedules).toHaveLength(1);
    expect(JSON.stringify(schedules[0]?.[1].Properties?.SecretId)).not.toContain(secretId('AuthBackendRefreshTokenKey'));
  });

  it('keeps every secret value out of the template', () => {
    for (const [, secret] of ofType('AWS::SecretsManager::Secret')) {
      expect(secret.Properties?.SecretString).toBeUndefined();
      expect(secret.Properties?.GenerateSecretString).toBeDefined();
    }
    const rendered = JSON.stringify(template.toJSON());
    expect(rendered).not.toMatch(/privateJwk|PRIVATE KEY|"d":"/);
    expect(rendered).not.toMatch(/resolve:secretsmanager/);
  });

  it('retains the secrets', () => {
    for (const [, secret] of ofType('AWS::SecretsManager::Secret')) {
      expect(secret.DeletionPolicy).toBe('Retain');
    }
  });
});

describe('operations', () => {
  it('alarms on the 5xx rate and on reuse', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      Dimensions: [{ Name: 'ApiName', Value: 'TestAuthBackend-AuthBackend' }],
      Statistic: 'Average',
      Threshold: 0.05,
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'RefreshTokenReuseDetected',
      Namespace: 'ServerlessOAuth2',
      Dimensions: [{ Name: 'service', Value: 'auth-backend' }],
      Threshold: 1,
    });
  });

  it('charts the business metrics', () => {
    const [, dashboard] = ofType('AWS::CloudWatch::Dashboard')[0] ?? [];
    const body = JSON.stringify(dashboard?.Properties?.DashboardBody);
    for (const name of ['TokensIssued', 'OAuthErrors', 'RefreshTokenReuseDetected', 'AuthorizerAllow', 'AuthorizerDeny', 'p99']) {
      expect(body).toContain(name);
    }
  });

  it('outputs the endpoints and the table', () => {
    for (const output of ['IssuerUrl', 'JwksUrl', 'TokenEndpoint', 'TableName']) template.hasOutput(output, {});
  });
});

describe('synth-time validation', () => {
  const dummyFunction = (stack: Stack): lambda.Function =>
    new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_22_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=1') });

  it('rejects a cached authorizer without identity source', () => {
    expect(() => checkAuthorizerCache('Auth', Duration.seconds(60), [])).toThrow(/needs an identity source/);
    expect(() => checkAuthorizerCache('Auth', Duration.seconds(0), [])).not.toThrow();
  });

  it('rejects an out-of-range cache TTL', () => {
    const stack = new Stack();
    expect(() => createRestRequestAuthorizer(stack, 'Auth', dummyFunction(stack), Duration.hours(2))).toThrow(/from 0 to 3600/);
  });

  it('states a zero TTL explicitly', () => {
    const stack = new Stack();
    const fn = dummyFunction(stack);
    const api = new apigateway.RestApi(stack, 'Api');
    api.root.addResource('request').addMethod('GET', undefined, { authorizer: createRestRequestAuthorizer(stack, 'Request', fn, Duration.seconds(0)) });
    api.root.addResource('token').addMethod('GET', undefined, { authorizer: createRestTokenAuthorizer(stack, 'Token', fn, Duration.seconds(0)) });

    const assertions = Template.fromStack(stack);
    assertions.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });
    assertions.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      AuthorizerResultTtlInSeconds: 0,
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: BEARER_JWT_VALIDATION_EXPRESSION,
    });
  });

  it('admits every base64url token', () => {
    expect(() => checkValidationExpression(BEARER_JWT_VALIDATION_EXPRESSION)).not.toThrow();
    const pattern = new RegExp(BEARER_JWT_VALIDATION_EXPRESSION);
    expect(pattern.test('bearer a-b.c_d.e-_')).toBe(true);
    expect(pattern.test('Basic abc')).toBe(false);
  });

  it.each([
    ['^Bearer [A-Za-z0-9.]+$', 'no "-" or "_"'],
    ['^Bearer [-0-9a-zA-Z_.]+$', 'case-sensitive scheme'],
  ])('rejects validation expression %s (%s)', (expression) => {
    expect(() => checkValidationExpression(expression)).toThrow(/Invalid validationRegex/);
  });

  it('rejects token throttling above the stage', () => {
    expect(() => resolveProps({ tokenEndpointThrottling: { rateLimit: 500, burstLimit: 40 } })).toThrow(/must not exceed/);
  });

  it('rejects a malformed scope rule', () => {
    expect(() => resolveProps({ scopeRules: { 'GET demo': 'admin' } })).toThrow(/scopeRules rule "GET demo"/);
  });

  it('rejects an access-token TTL over a day', () => {
    expect(() => resolveProps({ accessTokenTtl: Duration.days(2) })).toThrow(/Invalid accessTokenTtl/);
  });

  it('rejects a plain-http issuer', () => {
    expect(() => resolveProps({ issuer: 'http://auth.example.com' })).toThrow(/Invalid issuer/);
  });
});
