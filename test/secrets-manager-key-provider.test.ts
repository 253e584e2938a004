/**
 * Deployed key sources: the Secrets Manager signing-key provider, the refresh-token key
 * provider, the published-JWKS verification source and their selection by environment.
 * Secrets Manager is faked with aws-sdk-client-mock (no AWS is reachable here); keys are real.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { loadConfig } from '../src/config/config.js';
import { generateKeyPairForAlgorithm, toPublicJwk } from '../src/keys/key-material.js';
import { PublishedJwksKeySource, type PublishedJwks } from '../src/keys/published-jwks.js';
import { KEY_SET_VERSION, serializeSigningKeySet, type SigningKeyEntry } from '../src/keys/rotation.js';
import { SecretsManagerKeyProvider, SigningKeyUnavailableError } from '../src/keys/secrets-manager-key-provider.js';
import { AwsKeyProvider, createAwsKeyProvider } from '../src/keys/secrets-manager-keys.js';
import { SecretsManagerRefreshTokenKeyProvider } from '../src/keys/secrets-manager-refresh-key.js';

const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:signing-keys-AbCdEf';
const START = Date.UTC(2030, 0, 1);
const NOW_SECONDS = START / 1000;

describe('SecretsManagerKeyProvider', () => {
  const secretsMock = mockClient(SecretsManagerClient);
  let now: number;
  let oldKey: SigningKeyEntry;
  let newKey: SigningKeyEntry;

  beforeAll(async () => {
    oldKey = { ...(await generateKeyPairForAlgorithm('RS256', NOW_SECONDS - 1000)), retiredAt: NOW_SECONDS - 100 };
    newKey = await generateKeyPairForAlgorithm('RS256', NOW_SECONDS - 100);
  });
  beforeEach(() => {
    secretsMock.reset();
    now = START;
  });
  afterAll(() => {
    secretsMock.restore();
  });

  const provider = (retiredKeyLifetimeSeconds = 1500): SecretsManagerKeyProvider =>
    new SecretsManagerKeyProvider(new SecretsManagerClient({}), { secretId: SECRET_ARN, cacheSeconds: 300, retiredKeyLifetimeSeconds, now: () => now });
  const secretValue = (...keys: SigningKeyEntry[]): string => serializeSigningKeySet({ version: KEY_SET_VERSION, keys });

  it('signs with the newest unretired key', async () => {
    const older = await generateKeyPairForAlgorithm('RS256', NOW_SECONDS - 500);
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretValue(oldKey, older, newKey) });

    const key = await provider().getSigningKey();

    expect(key.kid).toBe(newKey.kid);
    expect(key.alg).toBe('RS256');
    expect(key.privateKey.type).toBe('private');
  });

  it('reads the AWSCURRENT version', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretValue(newKey) });

    await provider().getSigningKey();

    expect(secretsMock.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET_ARN, VersionStage: 'AWSCURRENT' });
  });

  it('caches the secret for cacheSeconds', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretValue(newKey) });
    const keys = provider();

    await Promise.all([keys.getSigningKey(), keys.getSigningKey()]);
    now += 299_000;
    await keys.getSigningKey();
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);

    now += 1000;
    await keys.getSigningKey();
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('picks up a rotation after the cache expires', async () => {
    secretsMock.on(GetSecretValueCommand).resolvesOnce({ SecretString: secretValue({ ...oldKey, retiredAt: undefined }) });
    const keys = provider();
    expect((await keys.getSigningKey()).kid).toBe(oldKey.kid);

    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretValue(oldKey, newKey) });
    now += 300_000;

    expect((await keys.getSigningKey()).kid).toBe(newKey.kid);
  });

  it('offers retired keys within their lifetime', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretValue(oldKey, newKey) });
    const keys = provider(1500);

    expect((await keys.getVerificationKeys()).map((key) => key.kid)).toEqual([oldKey.kid, newKey.kid]);
    now = (NOW_SECONDS - 100 + 1500) * 1000;
    expect((await keys.getVerificationKeys()).map((key) => key.kid)).toEqual([newKey.kid]);
  });

  it('rejects a secret without a key set', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'placeholder-generated-by-cloudformation' });

    await expect(provider().getSigningKey()).rejects.toThrow(SigningKeyUnavailableError);
    await expect(provider().getSigningKey()).rejects.toThrow(/contains no key set/);
  });

  it('rejects a key set with only retired keys', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: secretValue(oldKey) });

    await expect(provider().getSigningKey()).rejects.toThrow(/no unretired key/);
  });

  it('keeps key material out of errors', async () => {
    const broken = JSON.stringify({ version: KEY_SET_VERSION, keys: [{ ...newKey, alg: 'none' }] });
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: broken });

    const error = await provider()
      .getSigningKey()
      .then(() => new Error('expected a rejection'))
      .catch((caught: unknown) => caught as Error);

    const rendered = `${error.message} ${String((error.cause as Error | undefined)?.message)}`;
    expect(rendered).not.toContain(String(newKey.privateJwk.d));
    expect(rendered).toMatch(/unsupported "alg"/);
  });

  it('retries after a failed read', async () => {
    secretsMock.on(GetSecretValueCommand).rejectsOnce(new Error('ThrottlingException')).resolves({ SecretString: secretValue(newKey) });
    const keys = provider();

    await expect(keys.getSigningKey()).rejects.toThrow(/Throttling/);
    expect((await keys.getSigningKey()).kid).toBe(newKey.kid);
  });
});

describe('SecretsManagerRefreshTokenKeyProvider', () => {
  const secretsMock = mockClient(SecretsManagerClient);
  beforeEach(() => secretsMock.reset());
  afterAll(() => secretsMock.restore());

  it('returns the secret bytes and reads once', async () => {
    const value = 'A'.repeat(64);
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: value });
    const keys = new SecretsManagerRefreshTokenKeyProvider(new SecretsManagerClient({}), 'refresh-key');

    const first = await keys.getRefreshTokenKey();
    const second = await keys.getRefreshTokenKey();

    expect(first.equals(Buffer.from(value, 'utf8'))).toBe(true);
    expect(second).toBe(first);
    expect(secretsMock.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('rejects a short secret', async () => {
    secretsMock.on(GetSecretValueCommand).resolves({ SecretString: 'short' });
    const keys = new SecretsManagerRefreshTokenKeyProvider(new SecretsManagerClient({}), 'refresh-key');

    await expect(keys.getRefreshTokenKey()).rejects.toThrow(/at least 32 characters/);
  });
});

describe('PublishedJwksKeySource', () => {
  let now: number;
  let reads: number;
  let published: PublishedJwks;
  let current: SigningKeyEntry;
  let retired: SigningKeyEntry;

  beforeAll(async () => {
    current = await generateKeyPairForAlgorithm('RS256', NOW_SECONDS);
    retired = await generateKeyPairForAlgorithm('RS256', NOW_SECONDS - 1000);
  });
  beforeEach(() => {
    now = START;
    reads = 0;
    published = {
      updatedAt: NOW_SECONDS,
      keys: [
        { kid: retired.kid, alg: 'RS256', jwk: toPublicJwk(retired.privateJwk, retired.kid, 'RS256'), publishUntil: NOW_SECONDS + 60 },
        { kid: current.kid, alg: 'RS256', jwk: toPublicJwk(current.privateJwk, current.kid, 'RS256') },
      ],
    };
  });

  const source = (): PublishedJwksKeySource =>
    new PublishedJwksKeySource(
      {
        get: () => {
          reads += 1;
          return Promise.resolve(published);
        },
      },
      { cacheSeconds: 300, invalidateCooldownSeconds: 10, now: () => now },
    );

  it('hides keys past publishUntil', async () => {
    const keys = source();

    expect((await keys.getVerificationKeys()).map((key) => key.kid)).toEqual([retired.kid, current.kid]);
    now += 60_000;
    expect((await keys.getVerificationKeys()).map((key) => key.kid)).toEqual([current.kid]);
    expect(reads).toBe(1);
  });

  it('rate-limits invalidate', async () => {
    const keys = source();
    await keys.getVerificationKeys();

    keys.invalidate();
    await keys.getVerificationKeys();
    keys.invalidate();
    await keys.getVerificationKeys();
    expect(reads).toBe(2);

    now += 10_000;
    keys.invalidate();
    await keys.getVerificationKeys();
    expect(reads).toBe(3);
  });

  it('returns no keys before the first publication', async () => {
    const keys = new PublishedJwksKeySource({ get: () => Promise.resolve(undefined) }, { cacheSeconds: 300 });

    expect(await keys.getVerificationKeys()).toEqual([]);
  });
});

describe('createAwsKeyProvider', () => {
  const db = {} as DynamoDBDocumentClient;
  const config = loadConfig({ TABLE_NAME: 'auth' });

  it('keeps the store when nothing is set', () => {
    expect(createAwsKeyProvider({}, db, config)).toBeUndefined();
    expect(createAwsKeyProvider({ KEY_SOURCE: 'store' }, db, config)).toBeUndefined();
  });

  it('selects AWS keys with a secret ARN', () => {
    expect(createAwsKeyProvider({ SIGNING_KEY_SECRET_ARN: SECRET_ARN }, db, config)).toBeInstanceOf(AwsKeyProvider);
  });

  it('rejects an unknown KEY_SOURCE', () => {
    expect(() => createAwsKeyProvider({ KEY_SOURCE: 'vault' }, db, config)).toThrow(/must be "store" or "aws", got "vault"/);
  });

  it('refuses to sign without a signing secret', async () => {
    const keys = createAwsKeyProvider({ KEY_SOURCE: 'aws' }, db, config);

    await expect(keys?.getSigningKey()).rejects.toThrow(/SIGNING_KEY_SECRET_ARN is not set/);
    await expect(keys?.getRefreshTokenKey()).rejects.toThrow(/REFRESH_TOKEN_KEY_SECRET_ARN is not set/);
  });
});
