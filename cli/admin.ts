/** `npm run admin -- <command>`: manages clients, users and signing keys in the table. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig } from '../src/config/config.js';
import { readOptionalString } from '../src/config/env.js';
import { triggerRotation } from '../src/keys/rotation-trigger.js';
import { ClientAlreadyExistsError } from '../src/store/client-repository.js';
import { createDocumentClient } from '../src/store/dynamo.js';
import { UserAlreadyExistsError } from '../src/store/user-repository.js';
import {
  parseClientScopes,
  parseGrantTypes,
  RECOMMENDED_SECRET_LENGTH,
  RegistrationError,
  validateAudience,
  validateClientId,
  validatePassword,
  validateUsername,
} from '../src/oauth/registration.js';
import { createClient, createUser, deleteClient, disableUser, listClients, rotateLocalKeys, type AdminContext } from './commands.js';
import { resolveStoreTarget } from './target.js';

const USAGE = `Usage: npm run admin -- <command> [options]

Commands:
  client create --client-id ID [--client-secret SECRET | --public] --grant-types LIST --scope "A B" [--audience AUD] [--json]
      Registers a client. LIST is comma-separated: client_credentials, password, refresh_token.
      Without --client-secret or --public, a 256-bit secret is generated and printed once.
  client list [--json]
  client delete --client-id ID
  user create --username NAME (--password PASSWORD | --password-stdin) [--json]
  user disable --username NAME
      Disables the user and ends the user's refresh-token families.
  keys rotate
      Creates a new signing key; the previous key stays in the JWKS until its tokens expire.
      With SIGNING_KEY_SECRET_ARN set (stack output SigningKeySecretArn), starts a rotation
      of the deployed Secrets Manager secret instead.

Store: DYNAMODB_ENDPOINT and TABLE_NAME (default auth-local). Without DYNAMODB_ENDPOINT, the
deployed table is used when AWS credentials are configured (TABLE_NAME then required), and
otherwise the local server's store at 127.0.0.1:$DYNAMODB_PORT (default 8000).`;

/** Bad input: exits with status 2 and a one-line message. */
class UsageError extends Error {}

type Values = Record<string, string | boolean | undefined>;

function parse(args: string[], options: ParseArgsConfig['options']): Values {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values as Values;
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function required(values: Values, name: string): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`missing required option --${name}`);
  return value;
}

function optional(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function print(json: boolean, value: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${text}\n`);
}

async function clientCommand(context: AdminContext, action: string | undefined, args: string[]): Promise<void> {
  if (action === 'create') {
    const values = parse(args, {
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      public: { type: 'boolean' },
      'grant-types': { type: 'string' },
      scope: { type: 'string' },
      audience: { type: 'string' },
      json: { type: 'boolean' },
    });
    const secret = optional(values, 'client-secret');
    const isPublic = values.public === true;
    if (secret !== undefined && isPublic) throw new UsageError('use either --client-secret or --public, not both');
    if (secret === '') throw new UsageError('--client-secret must not be empty');
    const grantTypes = parseGrantTypes(required(values, 'grant-types'));
    if (grantTypes.includes('refresh_token') && !grantTypes.includes('password')) {
      process.stderr.write('warning: refresh_token without password: this client can never obtain a refresh token\n');
    }
    if (secret !== undefined && secret.length < RECOMMENDED_SECRET_LENGTH) {
      process.stderr.write(
        `warning: a client secret shorter than ${RECOMMENDED_SECRET_LENGTH} characters can be guessed; omit --client-secret to get a generated 256-bit secret\n`,
      );
    }
    const audience = optional(values, 'audience');
    const created = await createClient(context, {
      clientId: validateClientId(required(values, 'client-id')),
      clientSecret: secret,
      isPublic,
      grantTypes,
      scopes: parseClientScopes(required(values, 'scope')),
      audience: audience === undefined ? undefined : validateAudience(audience),
    });
    const lines = [`Created client ${created.client_id} (${created.grant_types.join(', ')}; scope "${created.scope}")`];
    if (created.client_secret !== undefined) {
      lines.push(`client_secret: ${created.client_secret}`);
      if (created.secret_generated) lines.push('Store the secret now: it is not shown again.');
    } else {
      lines.push('Public client: no secret.');
    }
    print(values.json === true, created, lines.join('\n'));
    return;
  }
  if (action === 'list') {
    const values = parse(args, { json: { type: 'boolean' } });
    const clients = await listClients(context);
    const rows = clients.map((client) => ({
      client_id: client.clientId,
      public: client.secretHash === undefined,
      grant_types: client.grantTypes,
      scope: client.scopes.join(' '),
      ...(client.audience === undefined ? {} : { audience: client.audience }),
    }));
    const text = rows.length === 0
      ? 'No clients.'
      : rows.map((row) => `${row.client_id}\t${row.public ? 'public' : 'confidential'}\t${row.grant_types.join(',')}\t${row.scope}`).join('\n');
    print(values.json === true, rows, text);
    return;
  }
  if (action === 'delete') {
    const values = parse(args, { 'client-id': { type: 'string' } });
    const clientId = required(values, 'client-id');
    if (!(await deleteClient(context, clientId))) throw new UsageError(`client "${clientId}" not found`);
    process.stdout.write(`Deleted client ${clientId}\n`);
    return;
  }
  throw new UsageError(`unknown command "client ${action ?? ''}"; expected create, list or delete`);
}

async function userCommand(context: AdminContext, action: string | undefined, args: string[]): Promise<void> {
  if (action === 'create') {
    const values = parse(args, {
      username: { type: 'string' },
      password: { type: 'string' },
      'password-stdin': { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const fromStdin = values['password-stdin'] === true;
    const inline = optional(values, 'password');
    if (fromStdin === (inline !== undefined)) throw new UsageError('use exactly one of --password or --password-stdin');
    const username = validateUsername(required(values, 'username'));
    const password = validatePassword(fromStdin ? await readStdin() : (inline ?? ''));
    const created = await createUser(context, username, password);
    print(values.json === true, created, `Created user ${created.username} (sub ${created.sub})`);
    return;
  }
  if (action === 'disable') {
    const values = parse(args, { username: { type: 'string' } });
    const username = required(values, 'username');
    const disabled = await disableUser(context, username);
    if (disabled === undefined) throw new UsageError(`user "${username}" not found`);
    process.stdout.write(`Disabled user ${username} and revoked ${disabled.familiesRevoked} refresh-token families\n`);
    return;
  }
  throw new UsageError(`unknown command "user ${action ?? ''}"; expected create or disable`);
}

async function keysCommand(context: AdminContext, action: string | undefined, args: string[]): Promise<void> {
  if (action === 'rotate') {
    parse(args, {});
    // A deployment keeps its keys in Secrets Manager: start its rotation there instead.
    const secretArn = readOptionalString(process.env, 'SIGNING_KEY_SECRET_ARN');
    if (secretArn !== undefined) {
      const { versionId } = await triggerRotation(secretArn);
      process.stdout.write(`Started rotation of ${secretArn}; version ${versionId} becomes current when the rotation function finishes\n`);
      return;
    }
    const kid = await rotateLocalKeys(context);
    process.stdout.write(
      `Rotated signing key; new kid ${kid}. A running server signs with it and publishes it within KEY_CACHE_SECONDS (default 300).\n`,
    );
    return;
  }
  throw new UsageError(`unknown command "keys ${action ?? ''}"; expected rotate`);
}

async function main(argv: string[]): Promise<void> {
  // The AWS SDK warns that its 2027 releases need Node.js 22; on a developer machine this is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [group, action, ...args] = argv;
  if (group === '--help' || group === '-h' || group === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (group === undefined) throw new UsageError('missing command; run with --help');
  if (!['client', 'user', 'keys'].includes(group)) throw new UsageError(`unknown command "${group}"; run with --help`);
  if (action === '--help' || args.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }

  const target = resolveStoreTarget(process.env);
  const config = loadConfig({ ...process.env, TABLE_NAME: target.tableName, DYNAMODB_ENDPOINT: target.endpoint ?? '' });
  const db = createDocumentClient({ endpoint: target.endpoint });
  const context: AdminContext = { config, db, now: Date.now };
  try {
    if (group === 'client') await clientCommand(context, action, args);
    else if (group === 'user') await userCommand(context, action, args);
    else await keysCommand(context, action, args);
  } finally {
    db.destroy();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const bad = error instanceof UsageError || error instanceof RegistrationError || error instanceof ClientAlreadyExistsError || error instanceof UserAlreadyExistsError;
  const message = error instanceof Error ? error.message : String(error);
  const connection = error instanceof Error && /ECONNREFUSED/.test(`${error.message} ${String((error as { code?: unknown }).code)}`);
  const hint = 'is npm start running? For a store on another port set DYNAMODB_PORT or DYNAMODB_ENDPOINT';
  process.stderr.write(`error: ${connection ? `cannot reach the store (${message}); ${hint}` : message}\n`);
  process.exit(bad ? 2 : 1);
});
