// The Temporal server configuration both docker-compose.yml and the production
// topology run: compose/temporal/deployflow.yaml, a template the server renders
// itself from environment variables. This module names the variables the stack
// sets and renders the template the same way, so a test can compare what compose
// and the stack would run without starting either.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from './layout.js';

/** The server's config folder and environment name: `temporal-server --config DIR --env NAME`. */
export const TEMPORAL_CONFIG_DIR = path.join(repoRoot, 'compose', 'temporal');
export const TEMPORAL_CONFIG_ENV = 'deployflow';
export const TEMPORAL_DYNAMIC_CONFIG = path.join(repoRoot, 'compose', 'dynamicconfig', 'deployflow.yaml');
/**
 * What Worker Deployment Versioning needs of the server (worker/versioning.ts):
 * deployment versions (the version entity workflows, routing by the current
 * version) and the workflow APIs that carry a version (SetWorkerDeploymentCurrentVersion,
 * DescribeWorkerDeployment, the version on workflow tasks). Server 1.29.1 has
 * both on by default; set anyway, because without them a versioned worker's
 * polls get no tasks and deploys wait. The dev server gets them as flags
 * (stack/components.ts), compose and the production topology from
 * compose/dynamicconfig/deployflow.yaml (a unit test keeps the two equal).
 */
export const WORKER_VERSIONING_DYNAMIC_CONFIG = {
  'system.enableDeploymentVersions': true,
  'frontend.workerVersioningWorkflowAPIs': true,
} as const;

/**
 * Eager activity dispatch: when a workflow task schedules an activity on its
 * own task queue, the server hands the activity task back in the response to
 * the completing worker (which reserves a slot for it, SDK default) instead of
 * through matching and another poll. A rollout step is an activity scheduled
 * right after a workflow task, so every step saves that trip (issue 19).
 */
export const EAGER_ACTIVITY_DYNAMIC_CONFIG = {
  'system.enableActivityEagerExecution': true,
} as const;

/** What every Temporal server of deployflow's runs with: the dev server as flags, compose and the production topology from the file. */
export const SHARED_DYNAMIC_CONFIG = { ...WORKER_VERSIONING_DYNAMIC_CONFIG, ...EAGER_ACTIVITY_DYNAMIC_CONFIG } as const;

/** Frontend, internal frontend (the system worker's way in, no authorization), history, matching, worker. */
export const TEMPORAL_SERVICES = ['frontend', 'internal-frontend', 'history', 'matching', 'worker'] as const;

export function readTemplate(): string {
  return fs.readFileSync(path.join(TEMPORAL_CONFIG_DIR, `${TEMPORAL_CONFIG_ENV}.yaml`), 'utf8');
}

const ACTION = /\{\{-?\s*(.*?)\s*-?\}\}/g;
const ENV_ACTION = /^env\s+"([A-Z0-9_]+)"$/;

/** Every variable the template reads; throws on any template action other than `env "NAME"`. */
export function templateVariables(template: string): string[] {
  const names = new Set<string>();
  for (const [, action = ''] of template.matchAll(ACTION)) {
    const name = ENV_ACTION.exec(action)?.[1];
    if (!name) throw new Error(`the Temporal config template may only use {{ env "NAME" }}, not {{ ${action} }}`);
    names.add(name);
  }
  return [...names].sort();
}

/** The template with every `{{ env "NAME" }}` replaced; a variable missing from `env` is an error, not "". */
export function renderTemplate(template: string, env: Record<string, string | undefined>): string {
  const missing = templateVariables(template).filter((name) => env[name] === undefined || env[name] === '');
  if (missing.length > 0) throw new Error(`the Temporal config template needs ${missing.join(', ')}`);
  return template.replace(ACTION, (_, action: string) => env[ENV_ACTION.exec(action)![1]!]!);
}

export interface ServerPorts {
  frontend: number;
  frontendHttp: number;
  frontendMembership: number;
  internalFrontend: number;
  internalFrontendMembership: number;
  /** Nexus dispatch and callbacks (the dynamic config's callback URL names it). */
  internalFrontendHttp: number;
  history: number;
  historyMembership: number;
  matching: number;
  matchingMembership: number;
  worker: number;
  workerMembership: number;
  metrics: number;
}

/** The internal frontend's HTTP port as compose's dynamic config names it (the Nexus callback URL). */
const COMPOSE_CALLBACK_ADDRESS = '127.0.0.1:7246';

/**
 * Compose's dynamic config with the stack's own internal-frontend HTTP port in
 * the Nexus callback settings: one file of settings, one difference.
 */
export function stackDynamicConfig(ports: Pick<ServerPorts, 'internalFrontendHttp'>): string {
  const text = fs.readFileSync(TEMPORAL_DYNAMIC_CONFIG, 'utf8');
  if (!text.includes(COMPOSE_CALLBACK_ADDRESS)) throw new Error(`${TEMPORAL_DYNAMIC_CONFIG} no longer names ${COMPOSE_CALLBACK_ADDRESS}`);
  return text.replaceAll(COMPOSE_CALLBACK_ADDRESS, `127.0.0.1:${ports.internalFrontendHttp}`);
}

/** The variables the production topology starts the server with (all on loopback). */
export function stackServerEnv(
  ports: ServerPorts,
  db: { address: string; user: string; password: string },
  jwksUri: string,
  dynamicConfigFile = TEMPORAL_DYNAMIC_CONFIG,
): Record<string, string> {
  return {
    TEMPORAL_LOG_LEVEL: 'warn',
    POSTGRES_ADDRESS: db.address,
    POSTGRES_USER: db.user,
    POSTGRES_PWD: db.password,
    TEMPORAL_BIND_IP: '127.0.0.1',
    TEMPORAL_FRONTEND_BIND_IP: '127.0.0.1',
    TEMPORAL_BROADCAST_ADDRESS: '127.0.0.1',
    TEMPORAL_METRICS_PORT: String(ports.metrics),
    TEMPORAL_JWKS_URI: jwksUri,
    TEMPORAL_FRONTEND_PORT: String(ports.frontend),
    TEMPORAL_FRONTEND_HTTP_PORT: String(ports.frontendHttp),
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: String(ports.frontendMembership),
    TEMPORAL_INTERNAL_FRONTEND_PORT: String(ports.internalFrontend),
    TEMPORAL_INTERNAL_FRONTEND_MEMBERSHIP_PORT: String(ports.internalFrontendMembership),
    TEMPORAL_INTERNAL_FRONTEND_HTTP_PORT: String(ports.internalFrontendHttp),
    TEMPORAL_HISTORY_PORT: String(ports.history),
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: String(ports.historyMembership),
    TEMPORAL_MATCHING_PORT: String(ports.matching),
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: String(ports.matchingMembership),
    TEMPORAL_WORKER_PORT: String(ports.worker),
    TEMPORAL_WORKER_MEMBERSHIP_PORT: String(ports.workerMembership),
    TEMPORAL_DYNAMIC_CONFIG_FILE: dynamicConfigFile,
  };
}
