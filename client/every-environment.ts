// Commands that read "everything" (list, labels without --env) when each
// environment has its own Temporal profile: read each one the caller's
// credentials reach, and say which could not be read and why, instead of failing
// as a whole because one namespace refused.
import { CliError } from './errors.js';
import type { CliIo } from './io.js';
import { profiledEnvironments } from './profiles.js';
import { withTemporal, type TemporalSession } from './temporal.js';

export interface PerEnvironment<T> {
  read: { environment: string; value: T }[];
  unreadable: { environment: string; reason: string; exitCode: number }[];
}

/** The environments to read one by one; empty when they all share one connection. */
export const separateEnvironments = (io: CliIo): string[] => profiledEnvironments(io.env);

export async function readEachEnvironment<T>(io: CliIo, environments: string[], fn: (session: TemporalSession, environment: string) => Promise<T>): Promise<PerEnvironment<T>> {
  const result: PerEnvironment<T> = { read: [], unreadable: [] };
  for (const environment of environments) {
    try {
      result.read.push({ environment, value: await withTemporal(io, (session) => fn(session, environment), environment) });
    } catch (err) {
      // Refused or unreachable: report it and go on. Anything else is a bug: let it surface.
      if (!(err instanceof CliError)) throw err;
      result.unreadable.push({ environment, reason: err.message.split('\n')[0]!, exitCode: err.exitCode });
    }
  }
  return result;
}

/** Notes on stderr for what could not be read; throws the first failure when nothing could. */
export function reportUnreadable<T>(result: PerEnvironment<T>, note: (text: string) => void): void {
  for (const { environment, reason } of result.unreadable) note(`could not read environment ${environment}: ${reason}`);
  const first = result.unreadable[0];
  if (result.read.length === 0 && first) throw new CliError(`no environment could be read (${result.unreadable.map((u) => u.environment).join(', ')})`, first.exitCode);
}
