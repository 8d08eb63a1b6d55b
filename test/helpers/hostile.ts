// The hostile tier's harness (test/hostile/): it talks to Temporal directly,
// bypassing deployctl, the way anyone with access to the Temporal namespace
// could. It gives the worker an identity of its own (a ServiceAccount bound to
// cluster-admin: the worker's own checks are under test, not RBAC), so the
// audit log tells the worker's writes from the test's; starts deploy workflows
// with crafted inputs and waits for them to END; and runs rogue workflows on a
// task queue of their own that schedule deployflow's activities on `deploy-<env>`.
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker, bundleWorkflowCode } from '@temporalio/worker';
import { parseWorkerPolicy, type WorkerPolicy } from '../../domain/worker-policy.js';
import { repoRoot } from '../../stack/layout.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import type { RogueCall, RogueOutcome } from '../fixtures/rogue/workflows.js';
import { stackKubeConfig } from './stack.js';
import { core, freshNamespace } from './cluster.js';
import type { AuditEvent } from './audit.js';
import { codecSetup } from '../../codec/data-converter.js';

export type { RogueCall, RogueOutcome } from '../fixtures/rogue/workflows.js';

export const FIXTURES = path.join(repoRoot, 'test', 'fixtures', 'hostile');

/** A worker policy fixture, parsed the way the worker parses its --policy file. */
export function loadPolicy(file: string): WorkerPolicy {
  return parseWorkerPolicy(yaml.load(fs.readFileSync(path.join(FIXTURES, file), 'utf8')));
}

export interface WorkerIdentity {
  kc: KubeConfig;
  /** The user the apiserver's audit log records for the worker's calls. */
  user: string;
}

/**
 * A ServiceAccount with cluster-admin and a kubeconfig holding its token: the
 * worker may do anything the API allows, so whatever it refuses, it refused itself.
 */
export async function workerIdentity(info: StackInfo, name: string): Promise<WorkerIdentity> {
  const admin = stackKubeConfig(info);
  const namespace = await freshNamespace(admin, 'hostile-sa');
  await core(admin).createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  await admin.makeApiClient(RbacAuthorizationV1Api).createClusterRoleBinding({
    body: {
      metadata: { name: `${namespace}-${name}` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'ServiceAccount', name, namespace }],
    },
  });
  const request = await core(admin).createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 7200 } } });
  const token = request.status?.token;
  if (!token) throw new Error('the TokenRequest API returned no token');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'deployflow-local', server: admin.getCurrentCluster()?.server ?? '', skipTLSVerify: true }],
    users: [{ name, token }],
    contexts: [{ name, cluster: 'deployflow-local', user: name }],
    currentContext: name,
  });
  return { kc, user: `system:serviceaccount:${namespace}:${name}` };
}

/** How a workflow ended, read from its result, describe() and its history. */
export interface Ending {
  /** describe()'s status once it ended (COMPLETED, FAILED), or RUNNING if it did not end in time. */
  status: string;
  /** It did not end within the time given and was terminated by the harness. */
  hung: boolean;
  result?: { outcome?: string; message?: string; rc?: string };
  failure?: { type?: string; message: string; nonRetryable: boolean };
  /** Every message the ending carries (failure, its causes, the result's message): what the checks match. */
  text: string;
  /** Workflow tasks that failed (a workflow task failing forever holds the app's lock). */
  workflowTaskFailures: number;
  /** Activities that ran more than once, with what failed before: a refusal must not be retried. */
  retriedActivities: string[];
}

/** Waits for the workflow to end; one that does not within `timeoutMs` is terminated and reported hung. */
export async function ending(handle: WorkflowHandle, timeoutMs: number): Promise<Ending> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  const settled = handle.result().then(
    (result: unknown) => ({ result }),
    (error: unknown) => ({ error }),
  );
  const first = await Promise.race([settled, timeout]);
  clearTimeout(timer);
  const statusBefore = (await handle.describe()).status.name;
  let hung = false;
  let result: Ending['result'];
  let failure: Ending['failure'];
  const texts: string[] = [];
  if (first === 'timeout') {
    hung = true;
    await handle.terminate('hostile tier: the workflow did not end in time').catch(() => undefined);
  } else if ('result' in first) {
    result = first.result as Ending['result'];
    if (result?.message) texts.push(result.message);
  } else {
    const err = first.error;
    const cause = err instanceof WorkflowFailedError ? err.cause : err;
    if (cause instanceof ApplicationFailure) {
      failure = { type: cause.type ?? undefined, message: cause.message, nonRetryable: cause.nonRetryable === true };
      const details = cause.details?.[0] as { message?: string; outcome?: string } | undefined;
      if (details?.message) texts.push(details.message);
    } else {
      failure = { message: cause instanceof Error ? cause.message : String(cause), nonRetryable: false };
    }
    for (let c: unknown = cause; c instanceof Error; c = (c as Error).cause) texts.push(c.message);
  }
  const { workflowTaskFailures, retriedActivities } = await historyFacts(handle);
  return {
    status: hung ? statusBefore : (await handle.describe()).status.name,
    hung,
    ...(result && { result }),
    ...(failure && { failure }),
    text: texts.join('\n'),
    workflowTaskFailures,
    retriedActivities,
  };
}

async function historyFacts(handle: WorkflowHandle): Promise<{ workflowTaskFailures: number; retriedActivities: string[] }> {
  const history = await handle.fetchHistory();
  const scheduled = new Map<string, string>();
  let workflowTaskFailures = 0;
  const retried: string[] = [];
  for (const e of history.events ?? []) {
    if (e.workflowTaskFailedEventAttributes) workflowTaskFailures++;
    const s = e.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(e.eventId), s.activityType?.name ?? '?');
    const started = e.activityTaskStartedEventAttributes;
    if (started && (started.attempt ?? 1) > 1) {
      const why = started.lastFailure?.message ? ` (attempt ${started.attempt}, after: ${started.lastFailure.message})` : ` (attempt ${started.attempt})`;
      retried.push(`${scheduled.get(String(started.scheduledEventId)) ?? '?'}${why}`);
    }
  }
  return { workflowTaskFailures, retriedActivities: retried };
}

/** The app's lock (its workflow id) is free: no run of it is still running. */
export async function lockFree(client: Client, workflowId: string): Promise<boolean> {
  try {
    return (await client.workflow.getHandle(workflowId).describe()).status.name !== 'RUNNING';
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) return true;
    throw err;
  }
}

/** Audit events that touch one of `targets` (a namespace, and the object's name when given). */
export function touching(events: AuditEvent[], targets: Array<{ namespace: string; name?: string }>): AuditEvent[] {
  return events.filter((e) =>
    targets.some(
      (t) =>
        e.objectRef?.namespace === t.namespace &&
        (t.name === undefined || e.objectRef?.name === undefined || e.objectRef.name === t.name),
    ),
  );
}

export function describeWrites(events: AuditEvent[]): string {
  return events.map((e) => `${e.verb} ${e.objectRef?.resource}${e.objectRef?.subresource ? `/${e.objectRef.subresource}` : ''} ${e.objectRef?.namespace}/${e.objectRef?.name ?? '*'}`).join(', ');
}

export const rogueWorkflowsPath = path.join(repoRoot, 'test', 'fixtures', 'rogue', 'workflows.ts');

export interface RogueWorker {
  taskQueue: string;
  /** Runs one attack as workflow type `type` (`rogue`, or `deploy` in disguise) under `workflowId`. */
  run(call: RogueCall, workflowId: string, type: 'rogue' | 'deploy'): Promise<RogueOutcome>;
  stop(): Promise<void>;
}

/** A worker of the rogue bundle on a task queue of its own: it has no cluster credentials and no activities. */
export async function startRogueWorker(info: StackInfo, client: Client, taskQueue: string): Promise<RogueWorker> {
  const connection = await NativeConnection.connect({ address: info.temporalAddress });
  const workflowBundle = await bundleWorkflowCode({
    workflowsPath: rogueWorkflowsPath,
    logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} },
  });
  // It can read what the test's client sends: a rogue inside the trust boundary of Temporal, not of the cluster.
  const worker = await Worker.create({ connection, namespace: 'default', taskQueue, workflowBundle, shutdownGraceTime: '1s', dataConverter: codecSetup().dataConverter });
  const running = worker.run();
  return {
    taskQueue,
    async run(call, workflowId, type) {
      const handle = await client.workflow.start(type, { taskQueue, workflowId, args: [call], workflowExecutionTimeout: '2m' });
      return (await handle.result()) as RogueOutcome;
    },
    async stop() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running;
      await connection.close();
    },
  };
}
