/**
 * The deployable stack: the `AuthBackend` construct plus an example REST API and an example
 * HTTP API protected by its authorizers, as a working pattern for attaching them elsewhere.
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { AuthBackend } from './auth-backend.js';
import { BackendFunction } from './functions.js';
import { acknowledge } from './nag-suppressions.js';
import type { AuthBackendProps } from './props.js';

export interface AuthBackendStackProps extends StackProps {
  /** Props of the backend. @default - the construct's defaults plus the scope rule `GET /demo/admin` needs `admin` */
  readonly backend?: AuthBackendProps;
}

/** Throttling of the example APIs, which only return the authorizer context. */
const EXAMPLE_THROTTLING = { rateLimit: 10, burstLimit: 20 };

export class AuthBackendStack extends Stack {
  readonly backend: AuthBackend;
  readonly exampleRestApi: apigateway.RestApi;
  readonly exampleHttpApi: apigwv2.HttpApi;

  constructor(scope: Construct, id: string, props: AuthBackendStackProps = {}) {
    super(scope, id, props);

    this.backend = new AuthBackend(this, 'AuthBackend', {
      scopeRules: { 'GET /demo/admin': 'admin' },
      ...props.backend,
    });
    const demo = new BackendFunction(this, 'Demo', {
      entryFolder: 'demo',
      description: "Example protected route: returns the caller's sub, client_id and scope",
      memorySize: 128,
      timeout: Duration.seconds(5),
      environment: {},
      logRetention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.exampleRestApi = this.createExampleRestApi(demo);
    this.exampleHttpApi = this.createExampleHttpApi(demo);
    acknowledge(
      this.exampleRestApi,
      { id: 'AwsSolutions-APIG2', reason: 'The example routes are GET requests without body or parameters, so there is nothing to validate' },
      { id: 'AwsSolutions-APIG3', reason: 'The example API only returns the authorizer context; the backend API can be put behind AWS WAF with the waf prop' },
      { id: 'AwsSolutions-COG4', reason: "The routes use the backend's Lambda authorizer, which verifies this server's JWT access tokens; Cognito is not involved" },
    );

    const outputs: Record<string, [string, string]> = {
      IssuerUrl: [this.backend.issuer, 'Issuer URL (iss of every access token)'],
      JwksUrl: [this.backend.jwksUrl, 'JWK Set with the current and still-valid previous public keys'],
      TokenEndpoint: [this.backend.tokenEndpoint, 'OAuth 2.0 token endpoint'],
      TableName: [this.backend.table.tableName, 'DynamoDB table; set TABLE_NAME to it for the admin CLI'],
      SigningKeySecretArn: [this.backend.signingKeySecret.secretArn, 'Signing-key secret; set SIGNING_KEY_SECRET_ARN to it for "keys rotate"'],
      ExampleRestApiUrl: [this.exampleRestApi.url, 'Example REST API (GET demo/me, GET demo/admin)'],
      ExampleHttpApiUrl: [this.exampleHttpApi.apiEndpoint, 'Example HTTP API (GET /demo/me, GET /demo/admin, GET /demo/jwt)'],
      DashboardName: [this.backend.monitoring.dashboard.dashboardName, 'CloudWatch dashboard'],
    };
    for (const [name, [value, description]] of Object.entries(outputs)) new CfnOutput(this, name, { value, description });
  }

  /** Creates a REST API whose routes use the backend's REQUEST authorizer. */
  private createExampleRestApi(demo: BackendFunction): apigateway.RestApi {
    const accessLogs = new logs.LogGroup(this, 'ExampleRestApiAccessLogs', {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const api = new apigateway.RestApi(this, 'ExampleRestApi', {
      description: 'Example API protected by the auth backend authorizer',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      // The backend's API already sets the account-wide CloudWatch role.
      cloudWatchRole: false,
      deployOptions: {
        stageName: 'prod',
        throttlingRateLimit: EXAMPLE_THROTTLING.rateLimit,
        throttlingBurstLimit: EXAMPLE_THROTTLING.burstLimit,
        accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigateway.AccessLogFormat.jsonWithStandardFields(),
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
      },
    });
    // Stage logging fails until the account-wide CloudWatch role exists.
    api.node.addDependency(this.backend.api);

    const authorizer = this.backend.createRestAuthorizer(this, 'ExampleRestAuthorizer');
    const integration = new apigateway.LambdaIntegration(demo.function);
    const demoResource = api.root.addResource('demo');
    for (const path of ['me', 'admin']) {
      demoResource.addResource(path).addMethod('GET', integration, { authorizer, authorizationType: apigateway.AuthorizationType.CUSTOM });
    }
    return api;
  }

  /**
   * Creates an HTTP API with the backend's Lambda authorizer on `/demo/me` and `/demo/admin`, and
   * API Gateway's native JWT authorizer on `/demo/jwt`.
   */
  private createExampleHttpApi(demo: BackendFunction): apigwv2.HttpApi {
    const api = new apigwv2.HttpApi(this, 'ExampleHttpApi', {
      description: 'Example HTTP API protected by the auth backend authorizers',
      createDefaultStage: false,
    });
    const accessLogs = new logs.LogGroup(this, 'ExampleHttpApiAccessLogs', {
      retention: logs.RetentionDays.ONE_WEEK,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    new apigwv2.HttpStage(this, 'ExampleHttpApiStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: EXAMPLE_THROTTLING,
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs) },
    });

    const integration = new HttpLambdaIntegration('DemoIntegration', demo.function);
    const lambdaAuthorizer = this.backend.createHttpAuthorizer('ExampleHttpAuthorizer');
    for (const path of ['/demo/me', '/demo/admin']) {
      api.addRoutes({ path, methods: [apigwv2.HttpMethod.GET], integration, authorizer: lambdaAuthorizer });
    }
    api.addRoutes({
      path: '/demo/jwt',
      methods: [apigwv2.HttpMethod.GET],
      integration,
      authorizer: this.backend.createHttpJwtAuthorizer('ExampleJwtAuthorizer'),
    });
    // API Gateway reads the issuer's discovery document, which exists once the backend's stage is deployed.
    api.node.addDependency(this.backend.api.deploymentStage);
    return api;
  }
}
