/** CDK app: `npx cdk synth` / `npx cdk deploy`. Synthesis needs no AWS account; the stack is environment-agnostic. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { AuthBackendStack } from '../lib/auth-backend-stack.js';

const app = new App();
new AuthBackendStack(app, 'AuthBackend', {
  description: 'Serverless OAuth 2.0 authorization server with JWT access tokens',
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
