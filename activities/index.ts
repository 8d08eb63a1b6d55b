// The activities of one environment's worker. Everything that touches the
// cluster is here; the factory takes the cluster handle so tests can aim it at
// the local stack, and nothing reads configuration when this module loads.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { renderReplicationController as render, type PodTemplate, type ReplicationControllerManifest, type RenderInput } from '../domain/render.js';
import { DEFAULT_WORKER_POLICY, type WorkerPolicy } from '../domain/worker-policy.js';
import type { Kube } from './kube.js';
import { admitDeploy, verifyManifest, type AdmittedDeploy } from './admission.js';
import { allowedNamespace, dnsName, inputMapping, lockedApp, rcOfApp, refuse, replicaCount } from './guard.js';
import { ensureEnvironmentSecret } from './secret.js';
import {
  createReplicationController,
  deleteReplicationController,
  listReplicationControllers,
  scaleReplicationController,
  type RcInfo,
} from './replication-controllers.js';
import { waitForPods, type PodCounts, type PodWaitInput } from './pods.js';
import { checkPlan } from './rc-sizes.js';
import { rollStep, type RollStepInput, type RollStepResult, type StepHeartbeat } from './roll-step.js';
import { StepHeartbeats } from './step-heartbeat.js';
import { ClusterWatches } from './cluster-watches.js';
import type { DeployNotification } from './notify.js';
import { notifyWebhooks } from './notify-activity.js';
import { countSchedulableNodes } from './nodes.js';
import { readServing, watchServing } from './serving.js';
import type { Serving } from '../domain/release-state.js';

export type { RcInfo } from './replication-controllers.js';
export type { AdmittedDeploy } from './admission.js';
export type { PodCounts, PodWaitInput } from './pods.js';
export type { RollStepInput, RollStepResult, StalledWait, StepHeartbeat } from './roll-step.js';
export type { DeployNotification, NotificationEvent } from './notify.js';

interface ScaleInput {
  namespace: string;
  name: string;
  replicas: number;
  from?: number;
}

export interface ActivityDeps {
  kube: Kube;
  /** The environment this worker's cluster serves. */
  environment: string;
  /** What this worker agrees to write, whatever reaches its task queue (absent: DEFAULT_WORKER_POLICY). */
  policy?: WorkerPolicy;
  /** Chat webhooks told about phase changes (this environment's channel). */
  webhooks?: string[];
  /** Temporal Web UI base URL, for links in notifications. */
  uiUrl?: string;
  /** This cluster's identity (kube-system's UID): admission pins each deploy to it. */
  cluster?: string;
}

/**
 * Every activity treats its input as untrusted (a rogue workflow may schedule it
 * with anything): writes check the namespace against the policy, that the caller
 * holds the app's lock, and that the object is the app's own (see guard.ts).
 */
export function createActivities({ kube, environment, webhooks = [], uiUrl, policy = DEFAULT_WORKER_POLICY, cluster }: ActivityDeps) {
  // Shared by every wait of this worker: a rollout lists and watches its app once.
  const watches = new ClusterWatches(kube);
  // Shared by every step of this worker: their heartbeats spend one budget.
  const heartbeats = new StepHeartbeats();
  const callerId = () => Context.current().info.workflowExecution?.workflowId ?? '';
  /** Namespace checked, lock held: the app a write may touch. */
  const writeTarget = (input: Record<string, unknown>, activity: string) => {
    const namespace = dnsName(input, 'namespace', activity);
    allowedNamespace(namespace, policy, activity);
    return { namespace, owner: { environment, app: lockedApp(environment, namespace, activity) } };
  };
  /** Reads check the namespace against the policy too: a soak sees only what this worker may deploy. */
  const readTarget = (raw: unknown, activity: string) => {
    const input = inputMapping(raw, activity);
    const namespace = dnsName(input, 'namespace', activity);
    allowedNamespace(namespace, policy, activity);
    return { namespace, app: dnsName(input, 'app', activity, 54) };
  };
  /** A checked scale; a step's scales take the RC from its app's watch when one is open (it saves a read). */
  const scale = async (raw: ScaleInput, fromWatch: boolean): Promise<void> => {
    const input = inputMapping(raw, 'scaleReplicationController');
    const { namespace, owner } = writeTarget(input, 'scaleReplicationController');
    const name = dnsName(input, 'name', 'scaleReplicationController');
    rcOfApp(name, owner.app, 'scaleReplicationController');
    const replicas = replicaCount(input.replicas, policy, 'scaleReplicationController');
    const from = input.from === undefined ? undefined : replicaCount(input.from, policy, 'scaleReplicationController');
    const cached = fromWatch ? watches.cachedReplicationController(namespace, `name=${owner.app}`, name) : undefined;
    await scaleReplicationController(kube, namespace, name, replicas, owner, from, cached);
  };
  const activities = {
    /** The deploy's one checked value, from its untrusted input and this worker's policy. */
    async admitDeploy(input: unknown): Promise<AdmittedDeploy> {
      return { ...(await admitDeploy({ kube, environment, policy, cluster }, input, callerId())), notifies: webhooks.length > 0 };
    },

    async ensureEnvironmentSecret(raw: { namespace: string; environment: string }): Promise<{ created: boolean }> {
      const input = inputMapping(raw, 'ensureEnvironmentSecret');
      // A deploy for another environment routed here by mistake must not write.
      if (input.environment !== environment) {
        throw refuse('EnvironmentMismatch', `environment: must be "${environment}", the environment this worker serves (a deploy for ${JSON.stringify(input.environment)} reached it)`);
      }
      const { namespace } = writeTarget(input, 'ensureEnvironmentSecret');
      return ensureEnvironmentSecret(kube, environment, namespace);
    },

    /** Pure, but an activity on purpose: its result puts the exact manifest in history. */
    async renderReplicationController(input: RenderInput): Promise<ReplicationControllerManifest> {
      return render(input);
    },

    /** With `expect`, an RC of that hash whose template differs is marked a look-alike. */
    async listReplicationControllers(raw: { namespace: string; name: string; expect?: { hash: string; template: PodTemplate } }): Promise<RcInfo[]> {
      const input = inputMapping(raw, 'listReplicationControllers');
      const namespace = dnsName(input, 'namespace', 'listReplicationControllers');
      allowedNamespace(namespace, policy, 'listReplicationControllers');
      const app = dnsName(input, 'name', 'listReplicationControllers', 54);
      // A deploy lists its RCs to plan: the app's watches start listing now, beside the create,
      // and its first step finds them ready (they linger a while and close if no step comes).
      watches.pods(namespace, `name=${app}`).release();
      watches.replicationControllers(namespace, `name=${app}`).release();
      return listReplicationControllers(kube, namespace, { environment, app }, raw.expect);
    },

    async createReplicationController(raw: { manifest: ReplicationControllerManifest }): Promise<RcInfo> {
      const input = inputMapping(raw, 'createReplicationController');
      const manifest = inputMapping(input.manifest, 'createReplicationController manifest');
      const { owner } = writeTarget(inputMapping(manifest.metadata, 'createReplicationController metadata'), 'createReplicationController');
      const verified = verifyManifest({ environment, policy }, input, callerId());
      rcOfApp(verified.metadata.name, owner.app, 'createReplicationController');
      return createReplicationController(kube, verified, owner);
    },

    /** With `from`: only if the RC still runs that many replicas (see scaleReplicationController). */
    scaleReplicationController: (raw: ScaleInput): Promise<void> => scale(raw, false),

    async deleteReplicationController(raw: { namespace: string; name: string }): Promise<void> {
      const input = inputMapping(raw, 'deleteReplicationController');
      const { namespace, owner } = writeTarget(input, 'deleteReplicationController');
      const name = dnsName(input, 'name', 'deleteReplicationController');
      rcOfApp(name, owner.app, 'deleteReplicationController');
      await deleteReplicationController(kube, namespace, name, owner);
    },

    /** Per-node agents run one pod on each of these nodes. */
    async countSchedulableNodes(): Promise<number> {
      return countSchedulableNodes(kube);
    },

    /** Tells the webhooks; nothing to do when none are configured. A retry skips those already told. */
    async notify(notification: DeployNotification): Promise<number> {
      return notifyWebhooks(webhooks, uiUrl, notification);
    },

    /** What serves the app now (a release records it before promoting, to roll back to). Read-only. */
    async readServing(raw: { namespace: string; app: string }): Promise<Serving | null> {
      const { namespace, app } = readTarget(raw, 'readServing');
      return (await readServing(kube, namespace, { environment, app })) ?? null;
    },

    /** A release's soak: fails when the serving RC changes or loses an available pod; ends when cancelled. Read-only. */
    async watchServing(raw: { namespace: string; app: string; expect: Serving }): Promise<void> {
      const { namespace, app } = readTarget(raw, 'watchServing');
      const ctx = Context.current();
      await watchServing(kube, namespace, { environment, app }, raw.expect, { heartbeat: (d) => ctx.heartbeat(d), signal: ctx.cancellationSignal });
    },

    async waitForPods(input: PodWaitInput): Promise<PodCounts> {
      allowedNamespace(dnsName(inputMapping(input, 'waitForPods'), 'namespace', 'waitForPods'), policy, 'waitForPods');
      const ctx = Context.current();
      return waitForPods(kube, watches, input, {
        heartbeat: (counts) => ctx.heartbeat(counts),
        signal: ctx.cancellationSignal,
        now: () => Date.now(),
      });
    },
  };
  return {
    ...activities,

    /** Rollout steps (scale, wait, scale, wait) in one call, with the guarded scale and the pod wait. */
    async rollStep(input: RollStepInput): Promise<RollStepResult> {
      const ctx = Context.current();
      const { heartbeat, done } = heartbeats.start((details: StepHeartbeat) => ctx.heartbeat(details));
      try {
        return await rollStep(input, {
          // A step being cancelled (an operator's rollback) writes nothing more.
          scale: (input) => (ctx.cancellationSignal.aborted ? Promise.reject(ApplicationFailure.create({ type: 'Cancelled', message: 'step cancelled' })) : scale(input, true)),
          wait: (wait, live) => {
            allowedNamespace(dnsName(inputMapping(wait, 'rollStep'), 'namespace', 'rollStep'), policy, 'rollStep');
            return waitForPods(kube, watches, wait, {
              heartbeat: (counts) => heartbeat({ ...counts, ...live }),
              signal: ctx.cancellationSignal,
              now: () => Date.now(),
            });
          },
          checkPlan: (plan) => {
            allowedNamespace(dnsName(inputMapping(plan, 'rollStep'), 'namespace', 'rollStep'), policy, 'rollStep');
            return checkPlan(kube, watches, plan, ctx.cancellationSignal);
          },
          // An operator's pause or rollback, the deploy's cancellation, the worker shutting down.
          cancelled: () => ctx.cancellationSignal.aborted,
        });
      } finally {
        done();
      }
    },
  };
}

export type DeployActivities = ReturnType<typeof createActivities>;
