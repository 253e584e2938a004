/**
 * `AuthBackend`: the OAuth 2.0 authorization server (token, refresh, revocation,
 * introspection and discovery endpoints on a REST API), its DynamoDB table, signing keys in
 * Secrets Manager with scheduled rotation, the Lambda authorizer for other APIs, and a
 * CloudWatch dashboard with alarms.
 */
import { CustomResource, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type { HttpJwtAuthorizer, HttpLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ENDPOINT_PATHS } from '../src/oauth/discovery.js';
import { PARTITION_KEY, SORT_KEY, SUBJECT_ATTRIBUTE, SUBJECT_INDEX, TTL_ATTRIBUTE } from '../src/store/table.js';
import {
  createHttpJwtAuthorizer,
  createHttpLambdaAuthorizer,
  createRestRequestAuthorizer,
  createRestTokenAuthorizer,
  executeApiUrl,
  type HttpAuthorizerOptions,
  type JwtAuthorizerOptions,
  type RestAuthorizerOptions,
  type RestTokenAuthorizerOptions,
} from './authorizers.js';
import { BackendFunction } from './functions.js';
import { AuthBackendMonitoring } from './monitoring.js';
import { resolveProps, type AuthBackendProps, type ResolvedProps } from './props.js';
import { acknowledge } from './nag-suppressions.js';
import { itemAccess } from './table-access.js';

/** The backend's functions, by role. */
export interface AuthBackendFunctions {
  readonly token: BackendFunction;
  readonly refresh: BackendFunction;
  readonly revoke: BackendFunction;
  readonly introspect: BackendFunction;
  readonly wellKnown: BackendFunction;
  readonly authorizer: BackendFunction;
  readonly keyRotation: BackendFunction;
}

export class AuthBackend extends Construct {
  /** The single table (layout in `src/store/table.ts`). */
  readonly table: dynamodb.Table;
  /** Private signing keys; rotated on a schedule by the key-rotation function. */
  readonly signingKeySecret: secretsmanager.Secret;
  /** The refresh-token HMAC key; never rotated, because that would invalidate every refresh token. */
  readonly refreshTokenKeySecret: secretsmanager.Secret;
  readonly functions: AuthBackendFunctions;
  /** The REST API serving the OAuth endpoints. */
  readonly api: apigateway.RestApi;
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly tokenEndpoint: string;
  /** Audience of tokens issued to clients without their own. */
  readonly defaultAudience: string;
  /** Audiences the authorizer accepts. */
  readonly acceptedAudiences: string[];
  readonly monitoring: AuthBackendMonitoring;
  /** The web ACL created when `waf: { create: true }`. */
  readonly webAcl: wafv2.CfnWebACL | undefined;

  private readonly settings: ResolvedProps;

  constructor(scope: Construct, id: string, props: AuthBackendProps = {}) {
    super(scope, id);
    const settings = resolveProps(props);
    this.settings = settings;

    this.table = this.createTable(settings);
    this.signingKeySecret = new secretsmanager.Secret(this, 'SigningKeys', {
      description: 'Private JWT signing keys (JSON key set); written only by the key-rotation function',
      removalPolicy: settings.removalPolicy,
    });
    this.refreshTokenKeySecret = new secretsmanager.Secret(this, 'RefreshTokenKey', {
      description: 'HMAC key that refresh tokens are derived from; rotating it invalidates every refresh token',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: settings.removalPolicy,
    });

    this.api = this.createApi(settings);
    this.issuer = settings.issuer ?? executeApiUrl(this, this.api.restApiId, settings.stageName);
    this.jwksUrl = `${this.issuer}${ENDPOINT_PATHS.jwks}`;
    this.tokenEndpoint = `${this.issuer}${ENDPOINT_PATHS.token}`;
    this.defaultAudience = settings.defaultAudience ?? this.issuer;
    this.acceptedAudiences = settings.acceptedAudiences ?? [this.defaultAudience];

    this.functions = this.createFunctions(settings);
    this.grantAccess();
    this.initializeKeys(settings);
    this.addRoutes();
    this.webAcl = this.attachWaf(settings);
    this.acknowledgeFindings(settings);

    this.monitoring = new AuthBackendMonitoring(this, 'Monitoring', {
      api: this.api,
      functions: { ...this.functions },
      namespace: settings.metricsNamespace,
      alarmTopic: settings.alarmTopic,
      serverErrorRateThreshold: settings.serverErrorRateThreshold,
    });
  }

  /**
   * Creates a REQUEST authorizer for a REST API, keyed on the `Authorization` header, with
   * the cache TTL of the backend's props unless `options` sets another.
   */
  createRestAuthorizer(scope: Construct, id: string, options: RestAuthorizerOptions = {}): apigateway.RequestAuthorizer {
    return createRestRequestAuthorizer(scope, id, this.functions.authorizer.function, this.settings.authorizerCacheTtl, options);
  }

  /** Creates a TOKEN authorizer for a REST API, for APIs that prefer it to the REQUEST authorizer. */
  createRestTokenAuthorizer(scope: Construct, id: string, options: RestTokenAuthorizerOptions = {}): apigateway.TokenAuthorizer {
    return createRestTokenAuthorizer(scope, id, this.functions.authorizer.function, this.settings.authorizerCacheTtl, options);
  }

  /** Creates an HTTP API Lambda authorizer with simple responses. */
  createHttpAuthorizer(id: string, options: HttpAuthorizerOptions = {}): HttpLambdaAuthorizer {
    return createHttpLambdaAuthorizer(id, this.functions.authorizer.function, this.settings.authorizerCacheTtl, options);
  }

  /**
   * Creates API Gateway's native JWT authorizer for an HTTP API, configured with this issuer
   * and audience. It needs RS256 keys and does not see revocations; use `createHttpAuthorizer`
   * where revoked tokens must be rejected before they expire.
   */
  createHttpJwtAuthorizer(id: string, options: JwtAuthorizerOptions = {}): HttpJwtAuthorizer {
    if (this.settings.signingAlgorithm !== 'RS256') {
      throw new Error(`Invalid signingAlgorithm for a JWT authorizer - ${this.settings.signingAlgorithm}; API Gateway's JWT authorizer accepts RSA keys only, so use RS256`);
    }
    return createHttpJwtAuthorizer(id, this.issuer, options.audience ?? this.acceptedAudiences, options);
  }

  private createApi(settings: ResolvedProps): apigateway.RestApi {
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      retention: settings.logRetention,
      removalPolicy: settings.removalPolicy,
    });
    const tokenLimits = {
      throttlingRateLimit: settings.tokenEndpointThrottling.rateLimit,
      throttlingBurstLimit: settings.tokenEndpointThrottling.burstLimit,
    };
    return new apigateway.RestApi(this, 'Api', {
      // API Gateway metrics are keyed on this name, so it must be unique in the account and region.
      restApiName: `${Stack.of(this).stackName}-${this.node.id}`,
      description: 'OAuth 2.0 authorization server',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // Access logging needs the account-wide API Gateway CloudWatch role.
      cloudWatchRole: true,
      deployOptions: {
        stageName: settings.stageName,
        throttlingRateLimit: settings.throttling.rateLimit,
        throttlingBurstLimit: settings.throttling.burstLimit,
        methodOptions: {
          '/oauth2/token/POST': tokenLimits,
          '/oauth2/refresh/POST': tokenLimits,
        },
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        // Execution logs record errors only, and never request or response bodies: bodies
        // carry passwords, client secrets and tokens.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
      },
    });
  }

  private createTable(settings: ResolvedProps): dynamodb.Table {
    const table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: PARTITION_KEY, type: dynamodb.AttributeType.STRING },
      sortKey: { name: SORT_KEY, type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: settings.tableDeletionProtection,
      removalPolicy: settings.removalPolicy,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
    });
    table.addGlobalSecondaryIndex({
      indexName: SUBJECT_INDEX,
      partitionKey: { name: SUBJECT_ATTRIBUTE, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.KEYS_ONLY,
    });
    return table;
  }

  private createFunctions(settings: ResolvedProps): AuthBackendFunctions {
    const common: Record<string, string> = {
      TABLE_NAME: this.table.tableName,
      ISSUER: this.issuer,
      DEFAULT_AUDIENCE: this.defaultAudience,
      AUDIENCE: this.acceptedAudiences.join(','),
      ACCESS_TOKEN_TTL_SECONDS: String(settings.accessTokenTtlSeconds),
      REFRESH_TOKEN_TTL_SECONDS: String(settings.refreshTokenTtlSeconds),
      REFRESH_TOKEN_IDLE_SECONDS: String(settings.refreshTokenIdleSeconds),
      REFRESH_REUSE_GRACE_SECONDS: String(settings.refreshReuseGraceSeconds),
      SIGNING_ALG: settings.signingAlgorithm,
      KEY_CACHE_SECONDS: String(settings.keyCacheSeconds),
      KEY_SOURCE: 'aws',
      POWERTOOLS_METRICS_NAMESPACE: settings.metricsNamespace,
    };
    // Only ARNs go into the environment; the values are read at run time under IAM.
    const signing = { SIGNING_KEY_SECRET_ARN: this.signingKeySecret.secretArn };
    const refreshKey = { REFRESH_TOKEN_KEY_SECRET_ARN: this.refreshTokenKeySecret.secretArn };

    const create = (id: string, entryFolder: string, description: string, memorySize: number, environment: Record<string, string>, timeout = Duration.seconds(10)): BackendFunction =>
      new BackendFunction(this, id, {
        entryFolder,
        description,
        memorySize,
        timeout,
        environment: { ...common, ...environment },
        logRetention: settings.logRetention,
        removalPolicy: settings.removalPolicy,
      });

    const sizes = settings.memorySizes;
    return {
      token: create('Token', 'token', 'OAuth 2.0 token endpoint', sizes.token, { ...signing, ...refreshKey }),
      refresh: create('Refresh', 'refresh', 'Refresh-token endpoint', sizes.refresh, { ...signing, ...refreshKey }),
      revoke: create('Revoke', 'revoke', 'RFC 7009 token revocation', sizes.revoke, refreshKey),
      introspect: create('Introspect', 'introspect', 'RFC 7662 token introspection', sizes.introspect, refreshKey),
      wellKnown: create('WellKnown', 'well-known', 'JWKS and authorization server metadata', sizes.wellKnown, {}),
      authorizer: create('Authorizer', 'authorizer', 'Lambda authorizer for APIs that accept these access tokens', sizes.authorizer, {
        SCOPE_RULES: JSON.stringify(settings.scopeRules),
        HTTP_API_SIMPLE_RESPONSES: 'true',
      }),
      keyRotation: create('KeyRotation', 'key-rotation', 'Creates and rotates the JWT signing keys', sizes.keyRotation, signing, Duration.seconds(30)),
    };
  }

  /** Grants each function exactly the items, secrets and operations its code uses. */
  private grantAccess(): void {
    const { table, functions } = this;
    const add = (fn: BackendFunction, ...statements: ReturnType<typeof itemAccess>[]): void => {
      for (const statement of statements) fn.role.addToPrincipalPolicy(statement);
    };

    // Every function that authenticates clients counts failures in lockout items with
    // UpdateItem, reading a client together with its lock item in one BatchGetItem.
    const lockout = [
      itemAccess(table, ['UpdateItem'], ['lock']),
    ];

    // Token endpoint: all three grants. The password grant counts attempts on the user item
    // and rehashes passwords there; the refresh grant rotates families and, on reuse,
    // writes a deny-list entry.
    add(
      functions.token,
      itemAccess(table, ['GetItem'], ['client', 'user', 'family', 'publishedJwks']),
      itemAccess(table, ['BatchGetItem'], ['client', 'lock']),
      itemAccess(table, ['PutItem'], ['family', 'deny']),
      itemAccess(table, ['UpdateItem'], ['user', 'family']),
      ...lockout,
    );
    add(
      functions.refresh,
      itemAccess(table, ['GetItem'], ['client', 'user', 'family', 'publishedJwks']),
      itemAccess(table, ['BatchGetItem'], ['client', 'lock']),
      itemAccess(table, ['PutItem'], ['deny']),
      itemAccess(table, ['UpdateItem'], ['family']),
      ...lockout,
    );
    add(
      functions.revoke,
      itemAccess(table, ['GetItem'], ['client', 'family', 'publishedJwks']),
      itemAccess(table, ['BatchGetItem'], ['client', 'lock']),
      itemAccess(table, ['PutItem'], ['deny']),
      itemAccess(table, ['UpdateItem'], ['family']),
      ...lockout,
    );
    add(
      functions.introspect,
      itemAccess(table, ['GetItem'], ['client', 'user', 'family', 'publishedJwks']),
      itemAccess(table, ['BatchGetItem'], ['client', 'lock', 'deny']),
      ...lockout,
    );
    add(functions.wellKnown, itemAccess(table, ['GetItem'], ['publishedJwks']));
    // The authorizer reads the public keys and the deny-list, and writes nothing.
    add(functions.authorizer, itemAccess(table, ['GetItem'], ['publishedJwks']), itemAccess(table, ['GetItem', 'BatchGetItem'], ['deny']));
    add(functions.keyRotation, itemAccess(table, ['GetItem', 'PutItem'], ['publishedJwks']));

    // Signing functions read the private keys; nothing else does.
    this.signingKeySecret.grantRead(functions.token.function);
    this.signingKeySecret.grantRead(functions.refresh.function);
    for (const fn of [functions.token, functions.refresh, functions.revoke, functions.introspect]) {
      this.refreshTokenKeySecret.grantRead(fn.function);
    }
  }

  /**
   * Creates the first signing key at deployment (a custom resource served by the
   * key-rotation function) and then schedules rotation. The schedule depends on the
   * initialization and does not rotate at creation, so the two never race.
   */
  private initializeKeys(settings: ResolvedProps): void {
    const keyRotation = this.functions.keyRotation.function;
    const initialization = new CustomResource(this, 'SigningKeyInitialization', {
      serviceToken: keyRotation.functionArn,
      resourceType: 'Custom::SigningKeySet',
      properties: {
        SecretArn: this.signingKeySecret.secretArn,
        TableName: this.table.tableName,
        Algorithm: settings.signingAlgorithm,
      },
    });
    initialization.node.addDependency(this.functions.keyRotation);

    const schedule = this.signingKeySecret.addRotationSchedule('Rotation', {
      rotationLambda: keyRotation,
      automaticallyAfter: settings.keyRotationInterval,
      rotateImmediatelyOnUpdate: false,
    });
    schedule.node.addDependency(initialization);
  }

  private addRoutes(): void {
    const integration = (fn: BackendFunction): apigateway.LambdaIntegration => new apigateway.LambdaIntegration(fn.function);
    const { functions } = this;

    const oauth2 = this.api.root.addResource('oauth2');
    const oauthMethods = [
      oauth2.addResource('token').addMethod('POST', integration(functions.token)),
      oauth2.addResource('refresh').addMethod('POST', integration(functions.refresh)),
      oauth2.addResource('revoke').addMethod('POST', integration(functions.revoke)),
      oauth2.addResource('introspect').addMethod('POST', integration(functions.introspect)),
    ];

    const wellKnown = this.api.root.addResource('.well-known');
    const wellKnownIntegration = integration(functions.wellKnown);
    const discoveryMethods = [
      wellKnown.addResource('jwks.json').addMethod('GET', wellKnownIntegration),
      wellKnown.addResource('oauth-authorization-server').addMethod('GET', wellKnownIntegration),
      wellKnown.addResource('openid-configuration').addMethod('GET', wellKnownIntegration),
    ];

    const oauthReason =
      'OAuth 2.0 endpoints authenticate the client themselves (client_secret_basic, client_secret_post or a public client id, RFC 6749 section 2.3), so API Gateway authorization does not apply';
    for (const method of oauthMethods) {
      acknowledge(method, { id: 'AwsSolutions-APIG4', reason: oauthReason }, { id: 'AwsSolutions-COG4', reason: oauthReason });
    }
    const discoveryReason = 'The JWK Set and the server metadata are public documents (RFC 7517, RFC 8414) that verifiers fetch without credentials';
    for (const method of discoveryMethods) {
      acknowledge(method, { id: 'AwsSolutions-APIG4', reason: discoveryReason }, { id: 'AwsSolutions-COG4', reason: discoveryReason });
    }
  }

  /** Acknowledges the cdk-nag findings that are intended, each with its reason. */
  private acknowledgeFindings(settings: ResolvedProps): void {
    acknowledge(this.api, {
      id: 'AwsSolutions-APIG2',
      reason:
        'Request bodies are application/x-www-form-urlencoded, which API Gateway models (JSON Schema) cannot describe; every function parses its form strictly and rejects invalid requests with invalid_request',
    });
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole !== undefined) {
      acknowledge(cloudWatchRole, {
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason: 'API Gateway\'s account-wide logging role uses the AWS managed policy that the API Gateway documentation prescribes for it; it applies to API Gateway only',
      });
    }
    acknowledge(this.refreshTokenKeySecret, {
      id: 'AwsSolutions-SMG4',
      reason: 'Refresh tokens are HMACs under this key, so rotating it would invalidate every outstanding refresh token; it is readable only by the four functions that handle refresh tokens',
    });
    acknowledge(this.functions.keyRotation.role, {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'secretsmanager:GetRandomPassword, added by the rotation schedule, supports no resource-level permissions; every other action of this role names its secret or table',
    });
    if (settings.waf === undefined) {
      acknowledge(this.api.deploymentStage, {
        id: 'AwsSolutions-APIG3',
        reason: 'AWS WAF is opt-in through the waf prop because a web ACL has a monthly cost; without it, stage throttling and the stricter token-endpoint limit still apply',
      });
    }
  }

  private attachWaf(settings: ResolvedProps): wafv2.CfnWebACL | undefined {
    const waf = settings.waf;
    if (waf === undefined) return undefined;
    const stageArn = this.api.deploymentStage.stageArn;
    if ('webAclArn' in waf) {
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: stageArn, webAclArn: waf.webAclArn });
      return undefined;
    }

    const managedRule = (name: string, priority: number): wafv2.CfnWebACL.RuleProperty => ({
      name,
      priority,
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: 'AWS', name } },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: name },
    });
    const webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'AuthBackendWebAcl' },
      rules: [
        managedRule('AWSManagedRulesAmazonIpReputationList', 0),
        managedRule('AWSManagedRulesKnownBadInputsRuleSet', 1),
        managedRule('AWSManagedRulesCommonRuleSet', 2),
        {
          name: 'RateLimitPerIp',
          priority: 3,
          action: { block: {} },
          statement: { rateBasedStatement: { limit: waf.rateLimitPer5Minutes ?? 1000, aggregateKeyType: 'IP' } },
          visibilityConfig: { cloudWatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: 'RateLimitPerIp' },
        },
      ],
    });
    new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', { resourceArn: stageArn, webAclArn: webAcl.attrArn });
    return webAcl;
  }
}
