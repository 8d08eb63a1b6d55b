// The library API for CI scripts: start a deploy, wait for its result.
//   const handle = await startDeploy(client, { spec, environment, image });
//   const result = await waitForResult(handle);   // result.outcome: 'Succeeded' | ...
import {
  WorkflowExecutionAlreadyStartedError,
  WorkflowFailedError,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { ApplicationFailure, CancelledFailure, type Duration } from '@temporalio/common';
import type { AppSpec } from '../domain/spec.js';
import type { LabelPolicy } from '../domain/label-policy.js';
import type { WorkerPolicy } from '../domain/worker-policy.js';
import { checkDeploy, deploySummary } from '../domain/check-deploy.js';
import { withoutInlineEnvValues } from '../domain/kept-spec.js';
import { taskQueueFor, validateEnvironmentName, workflowIdFor } from '../domain/names.js';
import { DEPLOY_WORKFLOW, searchAttributeKeys, type DeployInput, type DeployResult } from '../workflows/messages.js';
import { DeployAlreadyRunningError } from './errors.js';
import { ensurePerNodeSchedule } from './per-node-schedule.js';

export interface DeployRequest {
  spec: AppSpec;
  environment: string;
  /** Full reference with tag or digest, or `:tag` / `@sha256:…` for the spec's repository. */
  image: string;
  replicas?: number;
  requestedBy?: string;
  source?: string;
  /** Cancel (and so roll back) a running deploy of the same app first. */
  supersede?: boolean;
  /** The organisation's label policy: checked here, and again by the workflow. */
  labelPolicy?: LabelPolicy;
  /** The target worker's policy, to refuse early what it would refuse (it checks again itself). */
  workerPolicy?: WorkerPolicy;
  /** Continue as new after this many steps (default: the workflow's, 500). */
  maxStepsPerRun?: number;
}

export type DeployWorkflow = (input: DeployInput) => Promise<DeployResult>;
export type DeployHandle = WorkflowHandle<DeployWorkflow>;
/** A deploy this process started: its run id is known (CI prints it, tests wait on that run). */
export type StartedDeploy = WorkflowHandleWithFirstExecutionRunId<DeployWorkflow>;

/** Validates everything locally (throws InvalidSpecError), then starts the workflow. */
export async function startDeploy(client: Client, request: DeployRequest): Promise<StartedDeploy> {
  return startPrepared(client, prepareDeploy(request));
}

/** A deploy request checked and turned into the workflow's input, before anything is contacted. */
export interface PreparedDeploy {
  input: DeployInput;
  meta: { app: string; namespace: string; image: string; supersede?: boolean };
}

/**
 * The local half of startDeploy: every check that needs no server (throws
 * InvalidSpecError). The CLI calls it before connecting, so bad input exits 2
 * even when Temporal is unreachable.
 */
export function prepareDeploy(request: DeployRequest): PreparedDeploy {
  // The worker checks all of this again with its own policy (the admission activity).
  const checked = checkDeploy({ ...request, requestedBy: request.requestedBy ?? process.env.USER ?? 'unknown' });
  const { spec, environment, image, requestedBy, source } = checked;
  const input: DeployInput = {
    spec,
    environment,
    image,
    requestedBy,
    source,
    ...(request.labelPolicy && { labelPolicy: request.labelPolicy }),
    ...(request.maxStepsPerRun !== undefined && { maxStepsPerRun: request.maxStepsPerRun }),
  };
  return { input, meta: { app: spec.name, namespace: spec.namespace, image, supersede: request.supersede } };
}

export async function startPrepared(client: Client, prepared: PreparedDeploy): Promise<StartedDeploy> {
  const handle = await start(client, prepared.input, prepared.meta);
  if (prepared.input.spec?.perNode) {
    await ensurePerNodeSchedule(client, { environment: prepared.input.environment, namespace: prepared.meta.namespace, name: prepared.meta.app });
  }
  return handle;
}

/** `rollback --to-revision N`: redeploys a kept revision of the app (its spec and image come from the cluster). */
export async function startRedeploy(
  client: Client,
  request: { environment: string; namespace: string; name: string; revision: number; requestedBy?: string; supersede?: boolean },
): Promise<StartedDeploy> {
  const environment = validateEnvironmentName(request.environment);
  const input: DeployInput = {
    environment,
    toRevision: request.revision,
    app: { namespace: request.namespace, name: request.name },
    requestedBy: request.requestedBy ?? process.env.USER ?? 'unknown',
  };
  return start(client, input, { app: request.name, namespace: request.namespace, image: `revision ${request.revision}`, supersede: request.supersede });
}

/**
 * How a deploy is started, by the CLI and by the environment worker's Nexus
 * handler alike (a release's deploys): the lock (workflow id), the queue, the
 * search attributes and what the UI shows.
 */
export function deployStartOptions(input: DeployInput, meta: { app: string; namespace: string; image: string; releaseId?: string }) {
  return {
    workflowId: workflowIdFor(input.environment, meta.namespace, meta.app),
    taskQueue: taskQueueFor(input.environment),
    args: [input] as [DeployInput],
    workflowIdConflictPolicy: 'FAIL' as const,
    // No deploy holds its app's lock forever, whatever it waits for.
    workflowExecutionTimeout: DEPLOY_EXECUTION_TIMEOUT,
    workflowIdReusePolicy: 'ALLOW_DUPLICATE' as const,
    typedSearchAttributes: [
      { key: searchAttributeKeys.environment, value: input.environment },
      { key: searchAttributeKeys.app, value: meta.app },
      { key: searchAttributeKeys.image, value: meta.image },
      { key: searchAttributeKeys.phase, value: 'Validating' },
      { key: searchAttributeKeys.requestedBy, value: input.requestedBy },
    ],
    staticSummary: deploySummary({ app: meta.app, environment: input.environment, image: meta.image }),
    staticDetails: staticDetails(input, meta),
  };
}

async function start(
  client: Client,
  input: DeployInput,
  meta: { app: string; namespace: string; image: string; supersede?: boolean },
): Promise<StartedDeploy> {
  const options = deployStartOptions(input, meta);
  const { workflowId } = options;
  try {
    return await client.workflow.start<DeployWorkflow>(DEPLOY_WORKFLOW, options);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    if (!meta.supersede) throw new DeployAlreadyRunningError(workflowId);
    const running = client.workflow.getHandle(workflowId);
    await running.cancel();
    await running.result().catch(() => undefined); // it rolls back, then ends cancelled
    return client.workflow.start<DeployWorkflow>(DEPLOY_WORKFLOW, options);
  }
}

/** Longer than any rollout validation allows at its slowest steps, short enough that a stuck lock ends. */
export const DEPLOY_EXECUTION_TIMEOUT: Duration = '7 days';
/** Temporal's default limit on static details (limit.userMetadataDetailsSize). */
const MAX_DETAILS_BYTES = 20_000;

function staticDetails(input: DeployInput, meta: { app: string; namespace: string; image: string; releaseId?: string }): string {
  const lines = [
    `**${meta.app}** → **${input.environment}** (namespace \`${meta.namespace}\`)`,
    '',
    `- image: \`${meta.image}\``,
    `- requested by: ${input.requestedBy}`,
  ];
  if (meta.releaseId) lines.push(`- part of release \`${meta.releaseId}\``);
  if (input.source) lines.push(`- source: ${input.source}`);
  if (input.toRevision !== undefined) lines.push(`- redeploys kept revision ${input.toRevision}`);
  if (input.labelPolicy) lines.push(`- label policy: requires ${Object.keys(input.labelPolicy.required).join(', ')}`);
  const head = lines.join('\n');
  // Env names and references only: an inline value lives in the pod template, not in the UI.
  const spec = input.spec ? ['', '```json', JSON.stringify(withoutInlineEnvValues(input.spec), null, 2), '```'].join('\n') : '';
  // A large spec is left out rather than failing the start: `deployctl status` shows it.
  return Buffer.byteLength(head + spec) <= MAX_DETAILS_BYTES ? head + spec : `${head}\n\n(spec too large to show here: see \`deployctl status\`)`;
}

/** Waits for the deploy to end; a rollback or failure comes back as a result, not an exception. */
export async function waitForResult(handle: DeployHandle): Promise<DeployResult> {
  try {
    return await handle.result();
  } catch (err) {
    if (!(err instanceof WorkflowFailedError)) throw err;
    const cause = err.cause;
    if (cause instanceof ApplicationFailure && cause.details?.[0]) return cause.details[0] as DeployResult;
    const cancelled = cause instanceof CancelledFailure;
    const [, environment = '', namespace = '', app = ''] = handle.workflowId.split('/');
    return {
      outcome: cancelled ? 'RolledBack' : 'Failed',
      workflowId: handle.workflowId,
      environment,
      namespace,
      app,
      image: '',
      steps: 0,
      message: cancelled ? 'cancelled; rolled back' : (cause?.message ?? err.message),
      reason: cancelled ? 'Cancelled' : (cause instanceof ApplicationFailure ? cause.type ?? undefined : undefined),
    };
  }
}
