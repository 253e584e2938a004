/**
 * Key-rotation steps, deployment-time initialization and the key-rotation function's event
 * handling. Secrets Manager is faked with aws-sdk-client-mock (no AWS is reachable here): a
 * small in-memory model of versions and staging labels responds to the SDK commands. The
 * published JWKS goes to a real table in the embedded DynamoDB-compatible store (dynalite).
 */
import { jest } from '@jest/globals';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { startEmbeddedStore, type EmbeddedStore } from '../local/embedded-store.js';
import { PublishedJwksKeySource, PublishedJwksStore } from '../src/keys/published-jwks.js';
import { parseSigningKeySet, retiredKeyLifetimeSeconds, type SigningKeySet } from '../src/keys/rotation.js';
import { AWSCURRENT, AWSPENDING, RotationStateError, SigningKeyRotation, type RotationStep } from '../src/keys/rotation-steps.js';
import { SecretsManagerKeyProvider } from '../src/keys/secrets-manager-key-provider.js';
import { createDocumentClient, ensureTable } from '../src/store/dynamo.js';
import { createKeyRotationHandler } from '../lambdas/key-rotation/handler.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-keys-AbCdEf';
const ACCESS_TOKEN_TTL = 900;
const KEY_CACHE = 300;
const RETIRED_LIFETIME = retiredKeyLifetimeSeconds({ accessTokenTtlSeconds: ACCESS_TOKEN_TTL, keyCacheSeconds: KEY_CACHE });
const START = Date.UTC(2030, 0, 1);

interface SecretVersion {
  value: string | undefined;
  stages: string[];
}

/** In-memory model of one secret's versions and staging labels, the way Secrets Manager keeps them. */
class FakeSecret {
  readonly versions = new Map<string, SecretVersion>();
  rotationEnabled = true;
  private counter = 0;

  constructor(initialValue: string) {
    this.versions.set('initial', { value: initialValue, stages: [AWSCURRENT] });
  }

  /** Starts a rotation as Secrets Manager does: a new version id staged AWSPENDING, without a value yet. */
  startRotation(): string {
    this.counter += 1;
    const token = `rotation-${this.counter}`;
    this.versions.set(token, { value: undefined, stages: [AWSPENDING] });
    return token;
  }

  versionWith(stage: string): [string, SecretVersion] | undefined {
    return [...this.versions.entries()].find(([, version]) => version.stages.includes(stage));
  }

  moveStage(stage: string, toVersion: string): void {
    for (const version of this.versions.values()) version.stages = version.stages.filter((label) => label !== stage);
    this.versions.get(toVersion)?.stages.push(stage);
  }

  currentValue(): string {
    const current = this.versionWith(AWSCURRENT);
    if (current?.[1].value === undefined) throw new Error('fake secret has no current value');
    return current[1].value;
  }
}

const notFound = (message: string): ResourceNotFoundException => new ResourceNotFoundException({ message, $metadata: {} });

/** Routes the SDK commands the rotation code sends to `secret`. */
function fakeSecretsManager(secret: FakeSecret): ReturnType<typeof mockClient> {
  const mock = mockClient(SecretsManagerClient);
  mock.on(DescribeSecretCommand).callsFake(() => ({
    ARN: SECRET_ARN,
    RotationEnabled: secret.rotationEnabled,
    VersionIdsToStages: Object.fromEntries([...secret.versions.entries()].map(([id, version]) => [id, [...version.stages]])),
  }));
  mock.on(GetSecretValueCommand).callsFake((input: { VersionId?: string; VersionStage?: string }) => {
    const entry =
      input.VersionId !== undefined
        ? ([input.VersionId, secret.versions.get(input.VersionId)] as const)
        : secret.versionWith(input.VersionStage ?? AWSCURRENT);
    const version = entry?.[1];
    if (version === undefined || version.value === undefined) throw notFound('version not found');
    if (input.VersionStage !== undefined && !version.stages.includes(input.VersionStage)) throw notFound('stage not on version');
    return { ARN: SECRET_ARN, VersionId: entry?.[0], SecretString: version.value };
  });
  mock.on(PutSecretValueCommand).callsFake((input: { ClientRequestToken?: string; SecretString?: string; VersionStages?: string[] }) => {
    const id = input.ClientRequestToken ?? `put-${secret.versions.size}`;
    const stages = input.VersionStages ?? [AWSCURRENT];
    const existing = secret.versions.get(id);
    if (existing === undefined) secret.versions.set(id, { value: input.SecretString, stages: [] });
    else existing.value = input.SecretString;
    for (const stage of stages) secret.moveStage(stage, id);
    return { ARN: SECRET_ARN, VersionId: id };
  });
  mock.on(UpdateSecretVersionStageCommand).callsFake((input: { VersionStage?: string; MoveToVersionId?: string }) => {
    if (input.VersionStage !== undefined && input.MoveToVersionId !== undefined) secret.moveStage(input.VersionStage, input.MoveToVersionId);
    return { ARN: SECRET_ARN };
  });
  return mock;
}

const STEPS: readonly RotationStep[] = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'];

describe('signing-key rotation', () => {
  let store: EmbeddedStore;
  let db: DynamoDBDocumentClient;
  let tableCounter = 0;
  let now: number;
  let secret: FakeSecret;
  let secretsMock: ReturnType<typeof mockClient>;
  let jwksStore: PublishedJwksStore;
  let rotation: SigningKeyRotation;

  beforeAll(async () => {
    store = await startEmbeddedStore(0, undefined);
    db = createDocumentClient({ endpoint: store.endpoint });
  });
  afterAll(async () => {
    db.destroy();
    await store.close();
  });

  beforeEach(async () => {
    // Prepare: a fresh table, a secret holding the placeholder CloudFormation generates, a fixed clock.
    tableCounter += 1;
    const tableName = `rotation-${tableCounter}`;
    await ensureTable(db, tableName);
    now = START;
    secret = new FakeSecret('placeholder-generated-by-cloudformation');
    secretsMock = fakeSecretsManager(secret);
    jwksStore = new PublishedJwksStore(db, tableName);
    rotation = new SigningKeyRotation(new SecretsManagerClient({}), jwksStore, {
      algorithm: 'RS256',
      retiredKeyLifetimeSeconds: RETIRED_LIFETIME,
      now: () => now,
    });
  });
  afterEach(() => {
    secretsMock.restore();
  });

  const keySet = (): SigningKeySet => parseSigningKeySet(secret.currentValue());
  const rotate = async (): Promise<string> => {
    const token = secret.startRotation();
    for (const step of STEPS) await rotation.runStep(step, SECRET_ARN, token);
    return token;
  };
  const signingProvider = (): SecretsManagerKeyProvider =>
    new SecretsManagerKeyProvider(new SecretsManagerClient({}), {
      secretId: SECRET_ARN,
      cacheSeconds: KEY_CACHE,
      retiredKeyLifetimeSeconds: RETIRED_LIFETIME,
      now: () => now,
    });
  const verifierKeys = (): PublishedJwksKeySource => new PublishedJwksKeySource(jwksStore, { cacheSeconds: KEY_CACHE, now: () => now });

  /** Verifies a token against the published keys, the way the authorizer does: by `kid`, at the fake clock's time. */
  async function verifyWithPublishedKeys(token: string, source: PublishedJwksKeySource): Promise<void> {
    const { kid } = decodeProtectedHeader(token);
    const key = (await source.getVerificationKeys()).find((candidate) => candidate.kid === kid);
    if (key === undefined) throw new Error(`kid ${String(kid)} is not published`);
    await jwtVerify(token, key.publicKey, { currentDate: new Date(now), algorithms: [key.alg] });
  }

  async function signAccessToken(provider: SecretsManagerKeyProvider): Promise<string> {
    const key = await provider.getSigningKey();
    const issuedAt = Math.floor(now / 1000);
    return new SignJWT({ scope: 'read' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + ACCESS_TOKEN_TTL)
      .sign(key.privateKey);
  }

  describe('initialize', () => {
    it('creates and publishes the first key', async () => {
      // Act
      const result = await rotation.initialize(SECRET_ARN);

      // Assess
      expect(result.action).toBe('created');
      const keys = keySet().keys;
      expect(keys).toHaveLength(1);
      expect(keys[0]?.kid).toBe(result.kid);
      expect(keys[0]?.alg).toBe('RS256');
      const published = await jwksStore.get();
      expect(published?.keys.map((key) => key.kid)).toEqual([result.kid]);
    });

    it('publishes public members only', async () => {
      await rotation.initialize(SECRET_ARN);

      const published = await jwksStore.get();
      const jwk = published?.keys[0]?.jwk as Record<string, unknown>;
      for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(jwk[member]).toBeUndefined();
      expect(jwk.n).toEqual(expect.any(String));
      expect(jwk.e).toBe('AQAB');
    });

    it('leaves an initialized secret unchanged', async () => {
      const first = await rotation.initialize(SECRET_ARN);
      const value = secret.currentValue();

      const second = await rotation.initialize(SECRET_ARN);

      expect(second).toEqual({ action: 'unchanged', kid: first.kid });
      expect(secret.currentValue()).toBe(value);
    });

    it('republishes keys missing from the table', async () => {
      const first = await rotation.initialize(SECRET_ARN);
      await jwksStore.put({ keys: [], updatedAt: 0 });

      const second = await rotation.initialize(SECRET_ARN);

      expect(second).toEqual({ action: 'republished', kid: first.kid });
      expect((await jwksStore.get())?.keys.map((key) => key.kid)).toEqual([first.kid]);
    });
  });

  describe('rotation steps', () => {
    it('moves signing to a new key', async () => {
      const { kid: oldKid } = await rotation.initialize(SECRET_ARN);

      const token = await rotate();

      expect(secret.versionWith(AWSCURRENT)?.[0]).toBe(token);
      const keys = keySet().keys;
      expect(keys).toHaveLength(2);
      const oldKey = keys.find((key) => key.kid === oldKid);
      const newKey = keys.find((key) => key.kid !== oldKid);
      expect(oldKey?.retiredAt).toBe(Math.floor(now / 1000));
      expect(newKey?.retiredAt).toBeUndefined();
      expect((await signingProvider().getSigningKey()).kid).toBe(newKey?.kid);
    });

    it('publishes the pending key before it signs', async () => {
      const { kid: oldKid } = await rotation.initialize(SECRET_ARN);
      const token = secret.startRotation();

      await rotation.runStep('createSecret', SECRET_ARN, token);
      await rotation.runStep('setSecret', SECRET_ARN, token);

      // AWSCURRENT still signs with the old key, yet verifiers already know the new one.
      expect((await signingProvider().getSigningKey()).kid).toBe(oldKid);
      const publishedKids = (await jwksStore.get())?.keys.map((key) => key.kid) ?? [];
      expect(publishedKids).toHaveLength(2);
      expect(publishedKids).toContain(oldKid);
    });

    it('keeps old tokens verifiable after rotation', async () => {
      // Prepare: a token signed with the first key, and a verifier that cached the JWKS before the rotation.
      await rotation.initialize(SECRET_ARN);
      const provider = signingProvider();
      const oldToken = await signAccessToken(provider);
      const verifier = verifierKeys();
      await verifyWithPublishedKeys(oldToken, verifier);

      // Act: rotate 2 minutes later, while the old token is valid and the provider's cache is fresh.
      now += 120_000;
      await rotate();

      // Assess: the cached provider keeps the old key until its cache expires, then switches.
      const tokenFromCache = await signAccessToken(provider);
      expect(decodeProtectedHeader(tokenFromCache).kid).toBe(decodeProtectedHeader(oldToken).kid);
      now += KEY_CACHE * 1000;
      const newToken = await signAccessToken(provider);
      expect(decodeProtectedHeader(newToken).kid).not.toBe(decodeProtectedHeader(oldToken).kid);

      // The verifier does not know the new kid until it reloads; the old token keeps verifying.
      verifier.invalidate();
      await verifyWithPublishedKeys(newToken, verifier);
      await verifyWithPublishedKeys(oldToken, verifier);
      await verifyWithPublishedKeys(tokenFromCache, verifier);
    });

    it('keeps the retired key until its tokens expire', async () => {
      const { kid: oldKid } = await rotation.initialize(SECRET_ARN);
      const provider = signingProvider();
      const lastOldToken = await signAccessToken(provider);
      await rotate();
      const rotatedAt = Math.floor(now / 1000);

      // A token signed from the provider's cache right before it refreshes expires at rotation + cache + TTL.
      now = (rotatedAt + KEY_CACHE + ACCESS_TOKEN_TTL) * 1000 - 1000;
      const verifier = verifierKeys();
      expect((await verifier.getVerificationKeys()).map((key) => key.kid)).toContain(oldKid);
      await expect(verifyWithPublishedKeys(lastOldToken, verifier)).rejects.toThrow(/exp/);

      now = (rotatedAt + RETIRED_LIFETIME) * 1000;
      expect((await verifier.getVerificationKeys()).map((key) => key.kid)).not.toContain(oldKid);
    });

    it('drops keys retired past their lifetime', async () => {
      const { kid: firstKid } = await rotation.initialize(SECRET_ARN);
      await rotate();
      now += RETIRED_LIFETIME * 1000;

      await rotate();

      const kids = keySet().keys.map((key) => key.kid);
      expect(kids).toHaveLength(2);
      expect(kids).not.toContain(firstKid);
      expect((await jwksStore.get())?.keys.map((key) => key.kid)).not.toContain(firstKid);
    });

    it('creates one key on a retried createSecret', async () => {
      await rotation.initialize(SECRET_ARN);
      const token = secret.startRotation();

      await rotation.runStep('createSecret', SECRET_ARN, token);
      const pending = secret.versions.get(token)?.value;
      await rotation.runStep('createSecret', SECRET_ARN, token);

      expect(secret.versions.get(token)?.value).toBe(pending);
    });

    it('rotates a secret that was never initialized', async () => {
      await rotate();

      expect(keySet().keys).toHaveLength(1);
      expect((await jwksStore.get())?.keys).toHaveLength(1);
    });

    it('fails testSecret before setSecret', async () => {
      await rotation.initialize(SECRET_ARN);
      const token = secret.startRotation();
      await rotation.runStep('createSecret', SECRET_ARN, token);

      await expect(rotation.runStep('testSecret', SECRET_ARN, token)).rejects.toThrow(RotationStateError);
      await expect(rotation.runStep('testSecret', SECRET_ARN, token)).rejects.toThrow(/lacks the pending key/);
    });

    it('rejects a secret without rotation enabled', async () => {
      secret.rotationEnabled = false;
      const token = secret.startRotation();

      await expect(rotation.runStep('createSecret', SECRET_ARN, token)).rejects.toThrow(/rotation is not enabled/);
    });

    it('rejects an unknown version', async () => {
      await expect(rotation.runStep('createSecret', SECRET_ARN, 'no-such-version')).rejects.toThrow(/has no stage for rotation/);
    });

    it('skips steps of a finished rotation', async () => {
      await rotation.initialize(SECRET_ARN);
      const token = await rotate();
      const value = secret.currentValue();

      await rotation.runStep('createSecret', SECRET_ARN, token);
      await rotation.runStep('finishSecret', SECRET_ARN, token);

      expect(secret.currentValue()).toBe(value);
      expect(secret.versionWith(AWSCURRENT)?.[0]).toBe(token);
    });
  });

  describe('key-rotation handler', () => {
    let responseServer: Server;
    let responses: Record<string, unknown>[];
    let responseUrl: string;

    beforeAll(async () => {
      responseServer = createServer((request: IncomingMessage, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          responses.push({ method: request.method, contentType: request.headers['content-type'], ...JSON.parse(Buffer.concat(chunks).toString('utf8')) });
          response.end();
        });
      });
      await new Promise<void>((resolve) => responseServer.listen(0, '127.0.0.1', resolve));
      responseUrl = `http://127.0.0.1:${(responseServer.address() as AddressInfo).port}/response`;
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => responseServer.close(() => resolve()));
    });
    beforeEach(() => {
      responses = [];
    });

    const logger = new Logger({ serviceName: 'key-rotation-test', logLevel: 'SILENT' });
    const context = { functionName: 'key-rotation', awsRequestId: 'request-1' } as Context;
    const stackEvent = (requestType: 'Create' | 'Update' | 'Delete'): CloudFormationCustomResourceEvent =>
      ({
        RequestType: requestType,
        ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:key-rotation',
        ResponseURL: responseUrl,
        StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/auth/1',
        RequestId: 'cfn-request-1',
        LogicalResourceId: 'SigningKeyInitialization',
        ResourceType: 'Custom::SigningKeySet',
        ResourceProperties: { ServiceToken: 'x' },
        ...(requestType === 'Create' ? {} : { PhysicalResourceId: 'signing-key-set', OldResourceProperties: {} }),
      }) as CloudFormationCustomResourceEvent;

    it('initializes keys on stack creation', async () => {
      const handler = createKeyRotationHandler({ rotation, secretArn: SECRET_ARN, logger });

      await handler(stackEvent('Create'), context);

      expect(responses).toHaveLength(1);
      expect(responses[0]).toMatchObject({ method: 'PUT', contentType: '', Status: 'SUCCESS', PhysicalResourceId: 'signing-key-set' });
      expect(responses[0]?.Data).toEqual({ Kid: keySet().keys[0]?.kid });
    });

    it('reports a failed initialization', async () => {
      secretsMock.on(PutSecretValueCommand).rejects(new Error('AccessDeniedException: not allowed'));
      const handler = createKeyRotationHandler({ rotation, secretArn: SECRET_ARN, logger });

      await handler(stackEvent('Create'), context);

      expect(responses[0]).toMatchObject({ Status: 'FAILED' });
      expect(String(responses[0]?.Reason)).toMatch(/initialization failed .*not allowed/);
      expect(String(responses[0]?.Reason)).not.toMatch(/privateJwk|"d":/);
    });

    it('leaves keys alone on stack deletion', async () => {
      const initialize = jest.fn(() => rotation.initialize(SECRET_ARN));
      const handler = createKeyRotationHandler({ rotation: { runStep: rotation.runStep.bind(rotation), initialize }, secretArn: SECRET_ARN, logger });

      await handler(stackEvent('Delete'), context);

      expect(initialize).not.toHaveBeenCalled();
      expect(responses[0]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'signing-key-set' });
    });

    it('runs rotation steps for its secret', async () => {
      await rotation.initialize(SECRET_ARN);
      const handler = createKeyRotationHandler({ rotation, secretArn: SECRET_ARN, logger });
      const token = secret.startRotation();

      for (const step of STEPS) await handler({ Step: step, SecretId: SECRET_ARN, ClientRequestToken: token }, context);

      expect(secret.versionWith(AWSCURRENT)?.[0]).toBe(token);
    });

    it('rejects another secret', async () => {
      const handler = createKeyRotationHandler({ rotation, secretArn: SECRET_ARN, logger });

      await expect(handler({ Step: 'createSecret', SecretId: `${SECRET_ARN}-other`, ClientRequestToken: 't' }, context)).rejects.toThrow(
        /manages only/,
      );
    });
  });
});
