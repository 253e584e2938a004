import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
  type DynamoDBClientConfig,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { PARTITION_KEY, SORT_KEY, SUBJECT_ATTRIBUTE, SUBJECT_INDEX, TTL_ATTRIBUTE } from './table.js';

export interface DynamoConnection {
  readonly endpoint?: string | undefined;
  readonly region?: string | undefined;
}

/**
 * Creates the document client. With an explicit endpoint (the embedded store, DynamoDB Local)
 * and no AWS credentials in the environment, it uses fixed placeholder credentials so the
 * SDK never searches the default credential chain (which would query the instance metadata
 * service).
 */
export function createDocumentClient(connection: DynamoConnection = {}): DynamoDBDocumentClient {
  const options: DynamoDBClientConfig = {
    region: connection.region ?? process.env.AWS_REGION ?? 'us-east-1',
  };
  if (connection.endpoint !== undefined) {
    options.endpoint = connection.endpoint;
    if (process.env.AWS_ACCESS_KEY_ID === undefined) {
      options.credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    }
  }
  return DynamoDBDocumentClient.from(new DynamoDBClient(options), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

/**
 * Creates the table with the layout of `table.ts` unless it exists, and waits until it is active.
 * For local stores only: the deployed table is created by the CDK stack.
 */
export async function ensureTable(client: DynamoDBDocumentClient, tableName: string): Promise<'created' | 'exists'> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return 'exists';
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }

  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
        { AttributeName: SUBJECT_ATTRIBUTE, AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: SUBJECT_INDEX,
          KeySchema: [{ AttributeName: SUBJECT_ATTRIBUTE, KeyType: 'HASH' }],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
      ],
    }),
  );

  for (let attempt = 0; attempt < 100; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      }),
    );
  } catch (error) {
    // dynalite has no TTL API (UnknownOperationException). Reads check expiresAt themselves,
    // so a store without TTL only keeps expired items longer.
    if (!(error instanceof Error && /UnknownOperation/.test(error.name))) throw error;
  }
  return 'created';
}
