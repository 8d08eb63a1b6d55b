// Names shared by the client, the workflows and the worker. Deriving them in one
// place is what makes "one deploy per app per environment" (I5) hold: the workflow
// id is the lock, and every caller computes the same id.
import { invalidSpec } from './errors.js';
import { isDnsLabel } from './labels.js';

export interface DeployTarget {
  environment: string;
  namespace: string;
  name: string;
}

export function workflowIdFor(environment: string, namespace: string, name: string): string {
  return `deploy/${environment}/${namespace}/${name}`;
}

/** Inverse of workflowIdFor; undefined for ids deployflow did not make (other workflows in the namespace). */
export function parseWorkflowId(id: string): DeployTarget | undefined {
  const parts = id.split('/');
  if (parts.length !== 4 || parts[0] !== 'deploy') return undefined;
  const [, environment, namespace, name] = parts;
  if (!environment || !namespace || !name) return undefined;
  return { environment, namespace, name };
}

/**
 * The queue workflow of an app in an environment (issue 17): it holds the
 * requests waiting for the app's lock and runs them, one at a time, as
 * workflowIdFor's deploy.
 */
export function queueIdFor(environment: string, namespace: string, name: string): string {
  return `queue/${environment}/${namespace}/${name}`;
}

/**
 * A workflow that queues one deploy on the app's queue and waits for its end
 * (a release's deploy, started by the environment's Nexus handler): the
 * queue answers it by signal, and only a workflow under this id.
 */
export function queuedDeployIdFor(environment: string, namespace: string, name: string, ticket: string): string {
  return `queued/${environment}/${namespace}/${name}/${ticket}`;
}

/** Id of the Temporal Schedule that keeps a perNode app sized to the node count. */
export function scheduleIdFor(environment: string, namespace: string, name: string): string {
  return `per-node/${environment}/${namespace}/${name}`;
}

/** One queue per environment: only that cluster's worker holds its credentials. */
export function taskQueueFor(environment: string): string {
  return `deploy-${environment}`;
}

/**
 * The activity header that pins a deploy to one cluster (the UID of its
 * kube-system namespace): a worker of another cluster refuses the activity.
 */
export const CLUSTER_PIN_HEADER = 'deployflow-cluster';

/**
 * The Temporal Worker Deployment of an environment's workers: every build of
 * that worker is a version of it, and the current version gets the tasks of
 * `deploy-<environment>`. No '.' or ':' (the server refuses them in the name).
 */
export function workerDeploymentFor(environment: string): string {
  return `deployflow-${environment}`;
}

export const SEARCH_ATTRIBUTES = {
  environment: 'DeployEnvironment',
  app: 'DeployApp',
  image: 'DeployImage',
  phase: 'DeployPhase',
  requestedBy: 'DeployRequestedBy',
} as const;

export const ENVIRONMENT_SECRET = {
  name: 'environment',
  key: 'environment',
  mountPath: '/etc/secrets',
  envVar: 'ENVIRONMENT',
} as const;

export const ANNOTATIONS = {
  revision: 'deployflow.io/revision',
  image: 'deployflow.io/image',
  requestedBy: 'deployflow.io/requested-by',
  source: 'deployflow.io/source',
  workflowId: 'deployflow.io/workflow-id',
  templateHash: 'deployflow.io/template-hash',
  desiredReplicas: 'deployflow.io/desired-replicas',
  /** The validated spec as compact JSON, so a kept revision can be redeployed exactly. */
  appSpec: 'deployflow.io/app-spec',
  /** Which environment wrote the RC; lets a worker spot a manifest from another cluster. */
  environment: 'deployflow.io/environment',
  /**
   * Which deploy created the RC: its workflow's first run id, the same across a continue-as-new and a
   * Reset. The workflow id is shared by every deploy of the app; this tells a deploy redone after a
   * crash that the RC it finds is the one it created itself.
   */
  deployId: 'deployflow.io/deploy-id',
} as const;

/**
 * Environment names end up in task queues, workflow ids and the secret's value;
 * a DNS label keeps all three unambiguous (no `/` to break parseWorkflowId).
 */
export function validateEnvironmentName(env: unknown): string {
  if (typeof env !== 'string' || env === '') throw invalidSpec('environment', 'is required');
  if (!isDnsLabel(env, 63)) {
    throw invalidSpec('environment', "must be a DNS-1123 label: at most 63 characters, lowercase letters, digits and '-', alphanumeric at both ends");
  }
  return env;
}
