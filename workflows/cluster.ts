// The workflow's view of the cluster: typed activity calls with their retry
// policies and a one-line summary each, which the Temporal UI shows beside
// every activity (`scale awesome-api-7f3c to 3`).
import { ActivityCancellationType, ActivityFailure, ApplicationFailure, patched, proxyActivities, proxyLocalActivities, type ActivityOptions, type LocalActivityOptions, type RetryPolicy } from '@temporalio/workflow';
import type { AdmittedDeploy, DeployActivities, DeployNotification, PodCounts, PodWaitInput, RcInfo, RollStepInput, RollStepResult } from '../activities/index.js';
import type { PodTemplate, ReplicationControllerManifest, RenderInput } from '../domain/render.js';
import type { Serving } from '../domain/release-state.js';

// Permanent failures: retrying cannot help, the workflow decides what to do.
const NON_RETRYABLE = [
  'InvalidSpec', 'Invalid', 'EnvironmentMismatch', 'RolloutStalled', 'RolloutTampered', 'Forbidden', 'Unauthorized', 'NotFound',
  // The worker's own refusals (activities/guard.ts): nothing was written, and retrying cannot change that.
  'InvalidInput', 'PolicyViolation', 'NotLocked', 'NotOwned', 'LookAlikeRc', 'ForgedManifest', 'WorkflowIdMismatch',
  // A compare-and-set scale found the RC at another size: the workflow re-plans, retrying would not help.
  'StalePlan',
];

const retry: RetryPolicy = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '15s', nonRetryableErrorTypes: NON_RETRYABLE };

/** Single API calls: quick, retried (409, 429, 5xx, outages) until ten minutes have passed. */
const CALL: ActivityOptions = { startToCloseTimeout: '30s', scheduleToCloseTimeout: '10m', retry };

/**
 * Waits watch pods for as long as progress is made; the heartbeat notices a dead worker. No
 * schedule-to-close limit: a step activity takes a whole stretch of steps back to back, which
 * on a large app lasts longer than any one call may (they once shared CALL's ten minutes).
 */
const WAIT: ActivityOptions = { startToCloseTimeout: '24h', heartbeatTimeout: '15s', retry };

/** Notifications are best effort: a few quick tries, then the deploy goes on without them. */
const NOTIFY: ActivityOptions = { startToCloseTimeout: '10s', scheduleToCloseTimeout: '30s', retry: { initialInterval: '1s', maximumAttempts: 4 } };

/** A scale is one quick, idempotent API call: it runs as a local activity (see scale()). */
const LOCAL_CALL: LocalActivityOptions = { startToCloseTimeout: '30s', scheduleToCloseTimeout: '10m', retry };

const acts = proxyActivities<DeployActivities>(CALL);
// Apart from acts: executeWithOptions adds to the proxy's options, it does not replace them (so no call spreads them again).
const waits = proxyActivities<DeployActivities>(WAIT);
const local = proxyLocalActivities<DeployActivities>(LOCAL_CALL);

export function ensureEnvironmentSecret(namespace: string, environment: string, mode: CallMode = 'task-queue'): Promise<{ created: boolean }> {
  const summary = `ensure secret ${namespace}/environment = ${environment}`;
  const onTaskQueue = () => acts.ensureEnvironmentSecret.executeWithOptions({ summary }, [{ namespace, environment }]);
  if (mode === 'local') return orOnTheTaskQueue(local.ensureEnvironmentSecret.executeWithOptions({ summary }, [{ namespace, environment }]), onTaskQueue);
  return onTaskQueue();
}

/**
 * How a deploy makes its one-off calls (admission, the secret, the RC lists,
 * the create, the deletes): through the task queue, or — deploys started since
 * patch `local-calls-and-step-activity` — as local activities, run by the worker inside the
 * workflow task that asked, with their results in history as markers. Each is
 * one quick, idempotent call, so a deploy starts and ends four round trips
 * through the server sooner and some twenty history events lighter (issue 19).
 */
export type CallMode = 'task-queue' | 'local';

/** The worker checks the deploy's untrusted input against its own policy: the one checked value, recorded in history. */
export function admit(input: unknown, mode: CallMode = 'task-queue'): Promise<AdmittedDeploy> {
  // Checking a spec near its size limits is CPU work that a busy worker may take a while over:
  // a timeout here would only re-run the same verdict.
  const options = { startToCloseTimeout: '2m', summary: 'admit: check the deploy against the worker policy' } as const;
  if (mode === 'local') return orOnTheTaskQueue(local.admitDeploy.executeWithOptions(options, [input]), () => admit(input));
  return acts.admitDeploy.executeWithOptions(options, [input]);
}

/** With `expect`, the worker marks an RC of that hash whose template differs as a look-alike. */
export function listReplicationControllers(namespace: string, name: string, expect?: { hash: string; template: PodTemplate }, mode: CallMode = 'task-queue'): Promise<RcInfo[]> {
  const summary = `list RCs of ${namespace}/${name}`;
  const input = { namespace, name, ...(expect && { expect }) };
  const onTaskQueue = () => acts.listReplicationControllers.executeWithOptions({ summary }, [input]);
  if (mode === 'local') return orOnTheTaskQueue(local.listReplicationControllers.executeWithOptions({ summary }, [input]), onTaskQueue);
  return onTaskQueue();
}

/** The same read on an environment's own worker, named explicitly (the deploy queue reads there whatever queue it runs on). */
export function listReplicationControllersOn(taskQueue: string, namespace: string, name: string): Promise<RcInfo[]> {
  return acts.listReplicationControllers.executeWithOptions({ taskQueue, summary: `list RCs of ${namespace}/${name}` }, [{ namespace, name }]);
}

export function render(input: RenderInput): Promise<ReplicationControllerManifest> {
  return acts.renderReplicationController.executeWithOptions({ summary: `render ${input.spec.name} revision ${input.revision}` }, [input]);
}

export function create(manifest: ReplicationControllerManifest, mode: CallMode = 'task-queue'): Promise<RcInfo> {
  const summary = `create ${manifest.metadata.name} with ${manifest.spec.replicas} replicas`;
  const onTaskQueue = () => acts.createReplicationController.executeWithOptions({ summary }, [{ manifest }]);
  if (mode === 'local') return orOnTheTaskQueue(local.createReplicationController.executeWithOptions({ summary }, [{ manifest }]), onTaskQueue);
  return onTaskQueue();
}

export function scale(namespace: string, name: string, replicas: number): Promise<void> {
  const summary = `scale ${name} to ${replicas}`;
  // Local: the worker runs the scale inside the workflow task that decided it and
  // goes straight on to the wait, instead of two round trips through the server
  // (activity task, then another workflow task) per scale. Idempotent, so a
  // re-run after a worker crash is harmless. Deploys started before keep their path.
  if (patched('scale-as-local-activity')) return scaleLocally({ namespace, name, replicas }, summary);
  return acts.scaleReplicationController.executeWithOptions({ summary }, [{ namespace, name, replicas }]);
}

/**
 * A reset-safe rollout's scale, always local; with `from`, a compare-and-set
 * (StalePlan unless the RC still runs `from`, or already `replicas`). No
 * patched() here: it comes right after the step's observation, a local
 * activity, and a patch marker after a local activity's result can land in
 * another workflow task on replay than it did live.
 */
export function scaleLocal(namespace: string, name: string, replicas: number, from?: number): Promise<void> {
  const summary = from === undefined ? `scale ${name} to ${replicas}` : `scale ${name} from ${from} to ${replicas}`;
  return scaleLocally({ namespace, name, replicas, ...(from !== undefined && { from }) }, summary);
}

function scaleLocally(input: { namespace: string; name: string; replicas: number; from?: number }, summary: string): Promise<void> {
  return orOnTheTaskQueue(local.scaleReplicationController.executeWithOptions({ summary }, [input]), () =>
    acts.scaleReplicationController.executeWithOptions({ summary }, [input]),
  );
}

export function remove(namespace: string, name: string, mode: CallMode = 'task-queue'): Promise<void> {
  const onTaskQueue = () => acts.deleteReplicationController.executeWithOptions({ summary: `delete ${name}` }, [{ namespace, name }]);
  if (mode === 'local') return orOnTheTaskQueue(local.deleteReplicationController.executeWithOptions({ summary: `delete ${name}` }, [{ namespace, name }]), onTaskQueue);
  return onTaskQueue();
}

/**
 * `activityId` names the step (`step-3-new`): plain text in history, so
 * `deployctl reset --to-step` finds where a step began without decoding payloads.
 */
export function waitForPods(input: PodWaitInput, summary: string, activityId?: string): Promise<PodCounts> {
  return waits.waitForPods.executeWithOptions({ summary, ...(activityId && { activityId }) }, [input]);
}

/**
 * A whole rollout step (scale, wait, scale, wait) in one activity; `activityId`
 * names the step (`step-3`). Unlike a wait, it writes: an interrupted step (an
 * operator's rollback) is waited for until the worker has stopped it, or a
 * step still running could scale one side while the rollback plans from the
 * other (two surges at once).
 */
export function rollStep(input: RollStepInput, summary: string, activityId: string): Promise<RollStepResult> {
  return waits.rollStep.executeWithOptions({ cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED, summary, activityId }, [input]);
}

/** The app's RCs as the cluster runs them now: what each step plans from. Local: no extra round trip through the server. */
export function observe(namespace: string, name: string): Promise<RcInfo[]> {
  const summary = `observe RCs of ${namespace}/${name}`;
  return orOnTheTaskQueue(local.listReplicationControllers.executeWithOptions({ summary }, [{ namespace, name }]), () =>
    acts.listReplicationControllers.executeWithOptions({ summary }, [{ namespace, name }]),
  );
}

/**
 * A local activity runs on the worker of the workflow task, which may serve
 * another cluster than the one the deploy is pinned to (two workers of one
 * environment, see cluster-pin.ts): that worker refuses it, and the call goes
 * through the task queue, where a worker of the right cluster takes it.
 */
function orOnTheTaskQueue<T>(localCall: Promise<T>, onTaskQueue: () => Promise<T>): Promise<T> {
  return localCall.catch((err: unknown) => {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    if (cause instanceof ApplicationFailure && cause.type === 'WrongCluster') return onTaskQueue();
    throw err;
  });
}

/** Never fails and, unless awaited, never holds the deploy up. */
export function notify(notification: DeployNotification): Promise<void> {
  return acts.notify.executeWithOptions({ ...NOTIFY, summary: `notify ${notification.event}` }, [notification]).then(
    () => undefined,
    () => undefined,
  );
}

export function countSchedulableNodes(): Promise<number> {
  return acts.countSchedulableNodes.executeWithOptions({ summary: 'count schedulable nodes' }, []);
}

/** What serves the app now (null: nothing yet). */
export function readServing(namespace: string, app: string): Promise<Serving | null> {
  return acts.readServing.executeWithOptions({ summary: `read what serves ${namespace}/${app}` }, [{ namespace, app }]);
}

/** Runs until cancelled (the soak's timer) or until what serves changes or loses a pod. */
export function watchServing(namespace: string, app: string, expect: Serving): Promise<void> {
  // The soak ends by cancelling this watch: wait for the worker to confirm, so the soak's
  // workflow never closes under a watch that is still running.
  return waits.watchServing.executeWithOptions({ cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED, summary: `watch ${expect.rc} stay fully available` }, [
    { namespace, app, expect },
  ]);
}
