// Environment → Temporal connection, through Temporal's own client configuration
// (envconfig TOML profiles): the profile named like the environment, when the
// config file has one, says which namespace and address an environment's deploys
// live in and with which credentials. A team with a namespace per environment
// writes one profile per environment; with no such profile (the local dev stack,
// TEMPORAL_* variables alone), every environment shares one connection, as before.
// An explicit TEMPORAL_PROFILE always wins: it names one connection for everything.
import { loadClientConfig } from '@temporalio/envconfig';
import { isDnsLabel } from '../domain/labels.js';
import { RELEASE_PROFILE } from '../domain/release-plan.js';

type Env = Record<string, string | undefined>;

function definedVars(env: Env): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Profile names in the client config file (TEMPORAL_CONFIG_FILE or Temporal's default location); none if there is no file. */
export function configuredProfiles(env: Env): string[] {
  try {
    return Object.keys(loadClientConfig({ overrideEnvVars: definedVars(env) }).profiles);
  } catch {
    // An unreadable file is reported when a connection is actually made.
    return [];
  }
}

/** The profile that connects `environment`'s deploys, or undefined for the single shared connection. */
export function profileForEnvironment(env: Env, environment: string | undefined): string | undefined {
  if (environment === undefined || env.TEMPORAL_PROFILE) return undefined;
  return configuredProfiles(env).includes(environment) ? environment : undefined;
}

/**
 * The environments with a profile of their own, for commands that read every
 * environment (list, labels without --env). Empty means one shared connection.
 */
export function profiledEnvironments(env: Env): string[] {
  if (env.TEMPORAL_PROFILE) return [];
  // The release profile connects releases, not an environment's deploys.
  return configuredProfiles(env).filter((name) => name !== 'default' && name !== RELEASE_PROFILE && isDnsLabel(name));
}
