/**
 * The CloudFormation custom-resource protocol for a Lambda function used directly as a
 * service token: the function must PUT its result to the pre-signed `ResponseURL`, or the
 * stack operation waits for an hour before it fails.
 */
import type { CloudFormationCustomResourceEvent, CloudFormationCustomResourceResponse } from 'aws-lambda';

export type CustomResourceResult = { readonly status: 'SUCCESS'; readonly data: Record<string, string> } | { readonly status: 'FAILED'; readonly reason: string };

/** Physical id of the key-set initialization; constant, so an update never replaces the resource. */
export const KEY_SET_PHYSICAL_ID = 'signing-key-set';

/** Sends the response to CloudFormation. Throws when the upload fails, so the error reaches the logs. */
export async function sendCustomResourceResponse(event: CloudFormationCustomResourceEvent, result: CustomResourceResult): Promise<void> {
  const body: CloudFormationCustomResourceResponse =
    result.status === 'SUCCESS'
      ? {
          Status: 'SUCCESS',
          PhysicalResourceId: KEY_SET_PHYSICAL_ID,
          StackId: event.StackId,
          RequestId: event.RequestId,
          LogicalResourceId: event.LogicalResourceId,
          Data: result.data,
        }
      : {
          Status: 'FAILED',
          Reason: result.reason,
          PhysicalResourceId: event.RequestType === 'Create' ? KEY_SET_PHYSICAL_ID : event.PhysicalResourceId,
          StackId: event.StackId,
          RequestId: event.RequestId,
          LogicalResourceId: event.LogicalResourceId,
        };
  const payload = JSON.stringify(body);
  // The URL is pre-signed for S3 without a content type, so none may be sent.
  const response = await fetch(event.ResponseURL, {
    method: 'PUT',
    headers: { 'content-type': '', 'content-length': String(Buffer.byteLength(payload)) },
    body: payload,
  });
  if (!response.ok) throw new Error(`custom-resource response upload failed with HTTP ${response.status}`);
}
