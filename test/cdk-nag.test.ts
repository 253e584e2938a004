/**
 * cdk-nag's AwsSolutions pack over the whole stack: no finding may remain unacknowledged,
 * and every acknowledgment carries a reason. Bundling is skipped here (the template test
 * bundles for real), because the rules read resource properties, not code.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { AuthBackendStack } from '../lib/auth-backend-stack.js';
import type { AuthBackendStackProps } from '../lib/auth-backend-stack.js';

interface Finding {
  readonly rule: string;
  readonly severity: string | undefined;
  readonly resources: (string | undefined)[];
}

function findings(props: AuthBackendStackProps = {}): Finding[] {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack: Stack = new AuthBackendStack(app, 'NagAuthBackend', { env: { account: '123456789012', region: 'eu-west-1' }, ...props });
  const report = new AwsSolutionsChecks().validateScope(stack);
  return report.violations.map((violation) => ({
    rule: violation.ruleName,
    severity: violation.severity,
    resources: violation.violatingResources.map((resource) => resource.resourceLogicalId),
  }));
}

/** Collects every acknowledgment recorded in the construct tree. */
function acknowledgments(root: IConstruct): { path: string; id: string; reason: string }[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      // The data maps each acknowledged rule id (with CDK's `Annotation::` prefix) to its reason.
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
      .map(([id, reason]) => ({ path: construct.node.path, id: id.replace(/^Annotation::/, ''), reason })),
  );
}

describe('cdk-nag AwsSolutions', () => {
  it('reports an unacknowledged finding', () => {
    // A control case: the same checks flag a bare function on an old runtime, so an empty report above means something.
    const app = new App();
    const stack = new Stack(app, 'Control');
    new lambda.Function(stack, 'Old', { runtime: lambda.Runtime.NODEJS_20_X, handler: 'index.handler', code: lambda.Code.fromInline('exports.handler=1') });

    const rules = new AwsSolutionsChecks().validateScope(stack).violations.map((violation) => violation.ruleName);

    expect(rules).toEqual(expect.arrayContaining([expect.stringMatching(/AwsSolutions-L1/), expect.stringMatching(/AwsSolutions-IAM4/)]));
  });

  it('leaves no unacknowledged error', () => {
    expect(findings().filter((finding) => finding.severity === 'error')).toEqual([]);
  });

  it('leaves no unacknowledged warning', () => {
    expect(findings().filter((finding) => finding.severity !== 'error')).toEqual([]);
  });

  it('passes APIG3 with WAF on', () => {
    expect(findings({ backend: { waf: { create: true } } })).toEqual([]);
  });

  it('gives every acknowledgment a reason', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new AuthBackendStack(app, 'NagAuthBackend');
    const acknowledged = acknowledgments(stack);

    expect(acknowledged.length).toBeGreaterThan(0);
    for (const rule of acknowledged) {
      expect(rule.id).toMatch(/^AwsSolutions-[A-Z]+\d+/);
      expect(rule.reason.length).toBeGreaterThan(40);
    }
  });
});
