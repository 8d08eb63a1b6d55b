// The activities of one environment's worker. Everything that touches the
// cluster is here; the factory takes the cluster handle so tests can aim it at
// the local stack, and nothing reads configuration when this module loads.
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { renderReplicationController as render, type ReplicationControllerManifest, type RenderInput } from '../domain/render.js';
import type { Kube } from './kube.js';
import { ensureEnvironmentSecret } from './secret.js';
import {
  createReplicationController,
  deleteReplicationController,
  listReplicationControllers,
  scaleReplicationController,
  type RcInfo,
} from './replication-controllers.js';
import { waitForPods, type PodCounts, type PodWaitInput } from './pods.js';
import { ClusterWatches } from './cluster-watches.js';
import { postNotification, type DeployNotification } from './notify.js';
import { countSchedulableNodes } from './nodes.js';

export type { RcInfo } from './replication-controllers.js';
export type { PodCounts, PodWaitInput } from './pods.js';
export type { DeployNotification, NotificationEvent } from './notify.js';

export interface ActivityDeps {
  kube: Kube;
  /** The environment this worker's cluster serves. */
  environment: string;
  /** Chat webhooks told about phase changes (this environment's channel). */
  webhooks?: string[];
  /** Temporal Web UI base URL, for links in notifications. */
  uiUrl?: string;
}

export function createActivities({ kube, environment, webhooks = [], uiUrl }: ActivityDeps) {
  // Shared by every wait of this worker: a rollout lists and watches its app once.
  const watches = new ClusterWatches(kube);
  return {
    async ensureEnvironmentSecret(input: { namespace: string; environment: string }): Promise<{ created: boolean }> {
      // A deploy for another environment routed here by mistake must not write.
      if (input.environment !== environment) {
        throw ApplicationFailure.create({
          type: 'EnvironmentMismatch',
          nonRetryable: true,
          message: `deploy for "${input.environment}" reached the worker of "${environment}"; nothing was written`,
        });
      }
      return ensureEnvironmentSecret(kube, environment, input.namespace);
    },

    /** Pure, but an activity on purpose: its result puts the exact manifest in history. */
    async renderReplicationController(input: RenderInput): Promise<ReplicationControllerManifest> {
      return render(input);
    },

    async listReplicationControllers(input: { namespace: string; name: string }): Promise<RcInfo[]> {
      return listReplicationControllers(kube, input.namespace, input.name);
    },

    async createReplicationController(input: { manifest: ReplicationControllerManifest }): Promise<RcInfo> {
      return createReplicationController(kube, input.manifest);
    },

    async scaleReplicationController(input: { namespace: string; name: string; replicas: number }): Promise<void> {
      await scaleReplicationController(kube, input.namespace, input.name, input.replicas);
    },

    async deleteReplicationController(input: { namespace: string; name: string }): Promise<void> {
      await deleteReplicationController(kube, input.namespace, input.name);
    },

    /** Per-node agents run one pod on each of these nodes. */
    async countSchedulableNodes(): Promise<number> {
      return countSchedulableNodes(kube);
    },

    /** Tells the webhooks; nothing to do when none are configured. A retry skips those already told. */
    async notify(notification: DeployNotification): Promise<number> {
      if (webhooks.length === 0) return 0;
      const ctx = Context.current();
      const earlier = ctx.info.heartbeatDetails;
      return postNotification(webhooks, notification, { uiUrl, temporalNamespace: ctx.info.workflowNamespace ?? ctx.info.activityNamespace }, {
        delivered: Array.isArray(earlier) ? earlier.filter((id): id is string => typeof id === 'string') : [],
        onDelivered: (ids) => ctx.heartbeat(ids),
      });
    },

    async waitForPods(input: PodWaitInput): Promise<PodCounts> {
      const ctx = Context.current();
      return waitForPods(kube, watches, input, {
        heartbeat: (counts) => ctx.heartbeat(counts),
        signal: ctx.cancellationSignal,
        now: () => Date.now(),
      });
    },
  };
}

export type DeployActivities = ReturnType<typeof createActivities>;
