/** `npm start`: runs every endpoint locally on an embedded DynamoDB-compatible store. */
import { startLocalServer, type LocalServer } from './app.js';

function printBanner(server: LocalServer): void {
  const lines = [
    `Issuer:            ${server.config.issuer}`,
    `Token endpoint:    ${server.url}/oauth2/token`,
    `JWKS:              ${server.url}/.well-known/jwks.json`,
    `DynamoDB endpoint: ${server.dynamoDbEndpoint} (table ${server.config.tableName})`,
  ];
  if (server.storeData === 'memory') lines.push('Store data:        in memory (lost on exit)');
  else if (server.storeData !== undefined) lines.push(`Store data:        ${server.storeData}`);
  const demo = server.demo;
  if (demo === undefined) {
    lines.push('', 'The store already has clients; create more with: npm run admin -- client create --help');
  } else {
    lines.push(
      '',
      `Demo client: ${demo.clientId} / ${demo.clientSecret}`,
      `Demo user:   ${demo.username} / ${demo.password}`,
      '',
      'Get an access token:',
      `  curl -s -u '${demo.clientId}:${demo.clientSecret}' -d grant_type=client_credentials ${server.url}/oauth2/token`,
      'Log in as the demo user:',
      `  curl -s -u '${demo.clientId}:${demo.clientSecret}' -d grant_type=password -d username=${demo.username} -d password='${demo.password}' ${server.url}/oauth2/token`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

async function main(): Promise<void> {
  // The AWS SDK warns that its 2027 releases need Node.js 22; on a developer machine this is noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const server = await startLocalServer();
  printBanner(server);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`Received ${signal}, shutting down\n`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`shutdown failed: ${String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error(`local server failed to start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
