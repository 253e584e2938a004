/**
 * cdk-nag AwsSolutions findings that are accepted on purpose, each acknowledged with its
 * reason through CDK's `Validations` API. Rules not listed here are met by the resources
 * themselves.
 */
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface NagAcknowledgment {
  /** Rule id, with the finding in brackets for rules that report several (`AwsSolutions-IAM5[Resource::*]`). */
  readonly id: string;
  readonly reason: string;
}

export function acknowledge(scope: IConstruct, ...acknowledgments: NagAcknowledgment[]): void {
  Validations.of(scope).acknowledge(...acknowledgments);
}

/** Node.js 22 is the runtime the bundles are built for (esbuild target node22). */
export const RUNTIME_ACKNOWLEDGMENT: NagAcknowledgment = {
  id: 'AwsSolutions-L1',
  reason: 'nodejs22.x is the runtime the bundles target (esbuild target node22) and the tests cover; a newer runtime is a deliberate upgrade, not a drift',
};
