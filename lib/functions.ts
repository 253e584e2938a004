/**
 * Lambda function defaults shared by every function of the backend: Node.js 22 on arm64,
 * bundled locally by esbuild into one minified ES module with a source map, and a log group
 * with a fixed retention.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { aliasArguments, BUNDLE_OPTIONS } from './bundling/esbuild-options.js';
import { acknowledge, RUNTIME_ACKNOWLEDGMENT } from './nag-suppressions.js';

/** Repository root: entry paths, the lock file and the esbuild project root are relative to it. */
export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');


export interface BackendFunctionProps {
  /** Folder under `lambdas/` whose `index.ts` exports `handler`. */
  readonly entryFolder: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly removalPolicy: RemovalPolicy;
}

/**
 * A bundled Lambda function with its own role and log group. The role starts with no
 * permission but writing to that log group, so every other grant is explicit and no AWS
 * managed policy (which would allow writing to any log group) is attached.
 */
export class BackendFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: BackendFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention,
      removalPolicy: props.removalPolicy,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.entryFolder} function`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPOSITORY_ROOT, 'lambdas', props.entryFolder, 'index.ts'),
      handler: 'handler',
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Stack traces in the logs point at the TypeScript sources through the bundled source map.
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        // BUNDLE_OPTIONS in CDK's names; CDK always bundles for platform node.
        format: OutputFormat.ESM,
        target: BUNDLE_OPTIONS.target,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        banner: BUNDLE_OPTIONS.banner,
        minify: BUNDLE_OPTIONS.minify,
        esbuildArgs: { '--alias': aliasArguments() },
        sourceMap: true,
        sourcesContent: false,
        // The AWS SDK is bundled rather than taken from the runtime, so the deployed code
        // runs the SDK version the tests ran against, whatever the runtime ships.
        externalModules: [],
        forceDockerBundling: false,
      },
    });
    acknowledge(this.function, RUNTIME_ACKNOWLEDGMENT);
  }
}
