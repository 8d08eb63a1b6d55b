// Connecting to Temporal the way Temporal's own tools do (@temporalio/envconfig:
// TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TLS files, profiles;
// an environment with a profile of its own connects through it, client/profiles.ts).
// Not reaching the server is exit 4 with the address in the message, since
// the usual cause is a wrong or missing TEMPORAL_ADDRESS.
import { Client, Connection } from '@temporalio/client';
import { loadClientConnectConfig, type ClientConnectConfig } from '@temporalio/envconfig';
import { codecSetup } from '../codec/data-converter.js';
import { CodecConfigError } from '../codec/keys.js';
import { CliError, EXIT, PermissionDeniedError } from './errors.js';
import type { CliIo } from './io.js';
import { profileForEnvironment } from './profiles.js';

export interface TemporalSession {
  client: Client;
  /** The concrete connection: setup needs its operator service. */
  connection: Connection;
  namespace: string;
  address: string;
  /** The envconfig profile used, when the environment has one. */
  profile?: string;
}

const DEFAULT_ADDRESS = 'localhost:7233';
/** Long enough for a cold TLS handshake, short enough that CI fails fast on a wrong address. */
const DEFAULT_CONNECT_TIMEOUT_SECONDS = 10;

/** Runs `fn` connected to Temporal: to `environment`'s own profile when it has one. */
export async function withTemporal<T>(io: CliIo, fn: (session: TemporalSession) => Promise<T>, environment?: string): Promise<T> {
  const session = await connectTemporal(io.env, environment, (line) => io.stderr.write(line + '\n'));
  try {
    return await fn(session);
  } catch (err) {
    throw refusalOf(err, session) ?? err;
  } finally {
    await session.connection.close().catch(() => undefined);
  }
}

export async function connectTemporal(env: CliIo['env'], environment?: string, warn?: (line: string) => void): Promise<TemporalSession> {
  const profile = profileForEnvironment(env, environment);
  const config = loadConfig(env, profile);
  const dataConverter = codecOf(env, warn);
  const address = config.connectionOptions.address ?? DEFAULT_ADDRESS;
  const namespace = config.namespace ?? 'default';
  const connectTimeout = connectTimeoutMs(env);
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...config.connectionOptions, address, connectTimeout });
  } catch (err) {
    throw new CliError(
      `cannot reach Temporal at ${address}: ${reasonOf(err)}\n` +
        'set TEMPORAL_ADDRESS (and TEMPORAL_NAMESPACE, TEMPORAL_API_KEY or TLS settings) or a TEMPORAL_PROFILE to point deployctl at your Temporal frontend',
      EXIT.unreachable,
    );
  }
  return { client: new Client({ connection, namespace, dataConverter }), connection, namespace, address, ...(profile !== undefined && { profile }) };
}

/** Payloads are encrypted with the keys of DEPLOYFLOW_CODEC_KEYS / DEPLOYFLOW_CODEC_KEY_FILE (codec/). */
function codecOf(env: CliIo['env'], warn?: (line: string) => void) {
  try {
    return codecSetup(env, warn).dataConverter;
  } catch (err) {
    if (err instanceof CodecConfigError) throw new CliError(`cannot read the codec keys: ${err.message}`, EXIT.invalidInput);
    throw err;
  }
}

/** DEPLOYFLOW_CONNECT_TIMEOUT (seconds): more for a slow VPN, less for tests of the failure. */
function connectTimeoutMs(env: CliIo['env']): number {
  const raw = env.DEPLOYFLOW_CONNECT_TIMEOUT;
  if (raw === undefined || raw === '') return DEFAULT_CONNECT_TIMEOUT_SECONDS * 1000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new CliError(`DEPLOYFLOW_CONNECT_TIMEOUT must be a number of seconds > 0, not "${raw}"`, EXIT.invalidInput);
  return seconds * 1000;
}

export function loadConfig(env: CliIo['env'], profile?: string): ClientConnectConfig {
  const vars = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  try {
    return loadClientConnectConfig({ overrideEnvVars: vars, ...(profile !== undefined && { profile }) });
  } catch (err) {
    throw new CliError(`cannot read the Temporal client configuration: ${reasonOf(err)}`, EXIT.invalidInput);
  }
}

// gRPC status codes that mean "the server is not there", not "the request was wrong".
const UNAVAILABLE = 14;
const DEADLINE_EXCEEDED = 4;
// The server is there and says no: Temporal's authorizer refused these credentials.
const PERMISSION_DENIED = 7;

/** Temporal's refusal anywhere in the cause chain, as the error deployctl reports (exit 4), or undefined. */
export function refusalOf(err: unknown, session: Pick<TemporalSession, 'namespace' | 'address' | 'profile'>): PermissionDeniedError | undefined {
  if (err instanceof PermissionDeniedError) return err;
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    if ((e as { code?: unknown }).code === PERMISSION_DENIED) {
      const reason = ((e as { details?: unknown }).details as string | undefined) || e.message.replace(/^7 PERMISSION_DENIED: /, '');
      return new PermissionDeniedError(session.namespace, session.address, reason, session.profile);
    }
  }
  return undefined;
}

/** True for errors that mean Temporal went away or never answered (exit 4). */
export function isUnreachable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (code === UNAVAILABLE || code === DEADLINE_EXCEEDED) return true;
  }
  return false;
}

function reasonOf(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}
