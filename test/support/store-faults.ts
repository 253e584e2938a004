/**
 * Fault injection for DynamoDB: a document client whose commands go to the real store
 * (dynalite or DynamoDB Local) unless a planned fault matches. aws-sdk-client-mock is used
 * only for this, because a real store cannot be made to throttle, time out or fail with a
 * 5xx on one chosen request.
 */
import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
  type BatchGetCommandInput,
  type DeleteCommandInput,
  type DynamoDBDocumentClient,
  type GetCommandInput,
  type PutCommandInput,
  type QueryCommandInput,
  type ScanCommandInput,
  type UpdateCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createDocumentClient } from '../../src/store/dynamo.js';

export type FaultKind = 'throttling' | 'timeout' | 'server-error' | 'network';

export const FAULT_KINDS: readonly FaultKind[] = ['throttling', 'timeout', 'server-error', 'network'];

/** Builds the error the AWS SDK v3 raises for each kind of fault. */
export function faultError(kind: FaultKind): Error {
  switch (kind) {
    case 'throttling':
      return new ProvisionedThroughputExceededException({
        message: 'The level of configured provisioned throughput for the table was exceeded.',
        $metadata: { httpStatusCode: 400 },
      });
    case 'timeout':
      return Object.assign(new Error('the request socket timed out after 1000 ms of inactivity'), { name: 'TimeoutError' });
    case 'server-error':
      return new InternalServerError({ message: 'Internal server error', $metadata: { httpStatusCode: 500 } });
    case 'network':
      return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  }
}

export type CommandName = 'GetCommand' | 'PutCommand' | 'UpdateCommand' | 'DeleteCommand' | 'BatchGetCommand' | 'QueryCommand' | 'ScanCommand';

export interface PlannedFault {
  readonly command: CommandName;
  readonly kind: FaultKind;
  /** Only inputs for which this returns true fail; the default matches every call of `command`. */
  readonly match?: (input: Record<string, unknown>) => boolean;
  /** True: the command reaches the store and its response is lost. False (default): it never reaches the store. */
  readonly applied?: boolean;
  /** How many matching calls fail; the default is every one. */
  readonly times?: number;
  /** How many matching calls pass before the first one fails; the default is none. */
  readonly skip?: number;
}

export interface FaultyStore {
  /** The client to hand to the code under test. */
  readonly db: DynamoDBDocumentClient;
  /** A client without faults, for setting up and checking the store. */
  readonly real: DynamoDBDocumentClient;
  /** Commands the faulty client received, in order. */
  readonly calls: CommandName[];
  inject(fault: PlannedFault): void;
  clear(): void;
  close(): void;
}

/** Creates a faulty client on top of the store at `endpoint` (loopback only). */
export function createFaultyStore(endpoint: string): FaultyStore {
  const real = createDocumentClient({ endpoint });
  const db = createDocumentClient({ endpoint });
  const mock = mockClient(db);
  const plans: { fault: PlannedFault; skipped: number; remaining: number }[] = [];
  const calls: CommandName[] = [];

  const route = (name: CommandName, send: (input: Record<string, unknown>) => Promise<unknown>) =>
    async (input: Record<string, unknown>): Promise<unknown> => {
      calls.push(name);
      const plan = plans.find((candidate) => candidate.fault.command === name && candidate.remaining > 0 && (candidate.fault.match?.(input) ?? true));
      if (plan === undefined) return send(input);
      if (plan.skipped < (plan.fault.skip ?? 0)) {
        plan.skipped += 1;
        return send(input);
      }
      plan.remaining -= 1;
      if (plan.fault.applied === true) await send(input);
      throw faultError(plan.fault.kind);
    };

  mock.on(GetCommand).callsFake(route('GetCommand', (input) => real.send(new GetCommand(input as GetCommandInput))));
  mock.on(PutCommand).callsFake(route('PutCommand', (input) => real.send(new PutCommand(input as PutCommandInput))));
  mock.on(UpdateCommand).callsFake(route('UpdateCommand', (input) => real.send(new UpdateCommand(input as UpdateCommandInput))));
  mock.on(DeleteCommand).callsFake(route('DeleteCommand', (input) => real.send(new DeleteCommand(input as DeleteCommandInput))));
  mock.on(BatchGetCommand).callsFake(route('BatchGetCommand', (input) => real.send(new BatchGetCommand(input as BatchGetCommandInput))));
  mock.on(QueryCommand).callsFake(route('QueryCommand', (input) => real.send(new QueryCommand(input as QueryCommandInput))));
  mock.on(ScanCommand).callsFake(route('ScanCommand', (input) => real.send(new ScanCommand(input as ScanCommandInput))));

  return {
    db,
    real,
    calls,
    inject: (fault) => plans.push({ fault, skipped: 0, remaining: fault.times ?? Number.POSITIVE_INFINITY }),
    clear: () => {
      plans.length = 0;
      calls.length = 0;
    },
    close: () => {
      mock.restore();
      db.destroy();
      real.destroy();
    },
  };
}

/** Matches commands on items whose partition key starts with `prefix`, for single-item and batch commands. */
export function onKeyPrefix(prefix: string): (input: Record<string, unknown>) => boolean {
  return (input) => JSON.stringify(input.Key ?? input.Item ?? input.RequestItems ?? {}).includes(`"pk":"${prefix}`);
}

/** Reads every item of a table, sorted by key, so two snapshots can be compared. */
export async function snapshotTable(db: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await db.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return items.sort((a, b) => `${String(a.pk)} ${String(a.sk)}`.localeCompare(`${String(b.pk)} ${String(b.sk)}`));
}
