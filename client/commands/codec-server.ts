// `deployctl codec-server --port N`: Temporal's codec server protocol with this
// environment's codec keys, for the Temporal UI and `temporal workflow show
// --codec-endpoint`. Runs until SIGTERM/SIGINT.
import fs from 'node:fs';
import { once } from 'node:events';
import { AesGcmCodec } from '../../codec/aes-gcm-codec.js';
import { CodecConfigError, keyringFromEnv, KEY_FILE_ENV, KEYS_ENV } from '../../codec/keys.js';
import { createCodecServer } from '../../codec/server.js';
import { noPositionals, parseCommand, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { CliError, EXIT } from '../errors.js';
import type { CliIo } from '../io.js';

export const CODEC_TOKEN_ENV = 'DEPLOYFLOW_CODEC_SERVER_TOKEN';

const usage = `deployctl codec-server --port N [--host ADDR] [--allow-origin URL]... [--token-file FILE]

Serves Temporal's codec server protocol (POST /encode, POST /decode, also under
/<namespace>/…) with the codec keys of ${KEYS_ENV} or ${KEY_FILE_ENV}, so the
Temporal UI and CLI show deployflow's encrypted payloads decoded.

Every request needs the token (${CODEC_TOKEN_ENV}, or the first line of
--token-file): "Authorization: Bearer <token>", or the endpoint
http://HOST:PORT/token/<token> for a Temporal UI that cannot send headers.
Browsers may call only from the --allow-origin origins (default: the origin of
DEPLOYFLOW_TEMPORAL_UI); any other Origin is refused.

  temporal workflow show -w WORKFLOW_ID --codec-endpoint http://127.0.0.1:N --codec-auth "Bearer $${CODEC_TOKEN_ENV}"

Options:
  --port N             port to listen on (required)
  --host ADDR          address to bind (default 127.0.0.1)
  --allow-origin URL   a browser origin allowed to call (repeatable)
  --token-file FILE    read the token from FILE instead of ${CODEC_TOKEN_ENV}
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('codec-server', argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'allow-origin': { type: 'string', multiple: true },
    'token-file': { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return EXIT.ok;
  }
  noPositionals('codec-server', positionals);
  const port = Number(values.port);
  if (!values.port || !Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError('deployctl codec-server: --port must be a port number (0-65535)');
  const token = readToken(values['token-file'], io.env);
  let keyring;
  try {
    keyring = keyringFromEnv(io.env);
  } catch (err) {
    if (err instanceof CodecConfigError) throw new CliError(`cannot read the codec keys: ${err.message}`, EXIT.invalidInput);
    throw err;
  }
  if (!keyring) throw new CliError(`deployctl codec-server: no codec keys: set ${KEYS_ENV} or ${KEY_FILE_ENV}`, EXIT.invalidInput);
  const allowedOrigins = values['allow-origin'] ?? (io.env.DEPLOYFLOW_TEMPORAL_UI ? [io.env.DEPLOYFLOW_TEMPORAL_UI] : []);
  const server = createCodecServer({
    codec: new AesGcmCodec(keyring),
    token,
    allowedOrigins,
    log: (line) => io.stderr.write(`${new Date().toISOString()} ${line}\n`),
  });
  server.listen(port, values.host ?? '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const bound = typeof address === 'object' && address ? `${address.address}:${address.port}` : String(address);
  io.stderr.write(`codec server listening on http://${bound} (keys: ${[...keyring.byId.keys()].join(', ')}; current ${keyring.current.id}; origins: ${allowedOrigins.join(', ') || 'none'})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => server.close(() => resolve());
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return EXIT.ok;
}

function readToken(file: string | undefined, env: CliIo['env']): string {
  let token = env[CODEC_TOKEN_ENV]?.trim();
  if (file !== undefined) {
    try {
      token = fs.readFileSync(file, 'utf8').split('\n')[0]?.trim();
    } catch (err) {
      throw new CliError(`deployctl codec-server: cannot read --token-file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, EXIT.invalidInput);
    }
  }
  if (!token || token.length < 16) {
    throw new CliError(`deployctl codec-server: a token of at least 16 characters is required (${CODEC_TOKEN_ENV} or --token-file)`, EXIT.invalidInput);
  }
  return token;
}

export const codecServerCommand: Command = { name: 'codec-server', summary: 'serve Temporal\'s codec protocol so the UI and CLI show encrypted payloads', usage, run };
