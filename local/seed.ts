import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateClientSecret, hashClientSecret, verifyClientSecret } from '../src/oauth/client-secret.js';
import { hashPassword } from '../src/oauth/password-hash.js';
import type { Dependencies } from '../src/runtime/dependencies.js';

export const DEMO_CLIENT_ID = 'demo-client';
export const DEMO_USERNAME = 'demo';
export const DEMO_SCOPES = ['read', 'write', 'admin'];
const DEMO_FILE = 'demo-credentials.json';

export interface DemoCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly username: string;
  readonly password: string;
}

/** True when the saved demo client and user still exist, the secret still matches and the user is enabled. */
async function demoStillWorks(deps: Dependencies, demo: DemoCredentials): Promise<boolean> {
  const client = await deps.clients.find(demo.clientId);
  if (client === undefined || !verifyClientSecret(demo.clientSecret, client.secretHash)) return false;
  const user = await deps.users.find(demo.username);
  return user !== undefined && !user.disabled;
}

/**
 * Creates a demo client and user when the store has no clients. Their secrets are printed
 * once. With a persisted store they are also written (mode 0600) next to the data, so a
 * restart can print them again. Returns undefined when the store was not empty and no
 * saved credentials exist, or when the saved demo client or user was deleted or disabled since.
 */
export async function seedDemoData(deps: Dependencies, dataDir: string | undefined): Promise<DemoCredentials | undefined> {
  const savedFile = dataDir === undefined ? undefined : join(dataDir, DEMO_FILE);
  const existing = await deps.clients.list();
  if (existing.length > 0) {
    if (savedFile === undefined || !existsSync(savedFile)) return undefined;
    const saved = JSON.parse(readFileSync(savedFile, 'utf8')) as DemoCredentials;
    return (await demoStillWorks(deps, saved)) ? saved : undefined;
  }

  const nowSeconds = Math.floor(deps.now() / 1000);
  const demo: DemoCredentials = {
    clientId: DEMO_CLIENT_ID,
    clientSecret: generateClientSecret(),
    username: DEMO_USERNAME,
    password: randomBytes(12).toString('base64url'),
  };
  await deps.clients.create({
    clientId: demo.clientId,
    secretHash: hashClientSecret(demo.clientSecret),
    grantTypes: ['client_credentials', 'password', 'refresh_token'],
    scopes: DEMO_SCOPES,
    createdAt: nowSeconds,
  });
  await deps.users.create({
    username: demo.username,
    sub: randomUUID(),
    passwordHash: await hashPassword(demo.password, deps.config.scrypt),
    disabled: false,
    createdAt: nowSeconds,
  });
  if (savedFile !== undefined) {
    writeFileSync(savedFile, `${JSON.stringify(demo, null, 2)}\n`, { mode: 0o600 });
    chmodSync(savedFile, 0o600);
  }
  return demo;
}
