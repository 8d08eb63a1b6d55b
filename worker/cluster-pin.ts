// The worker's half of the cluster pin (see workflows/cluster-pin.ts): an
// activity pinned to another cluster is refused before it runs, and nothing is
// written. A task-queue activity's refusal is retried: the retry may reach a
// worker of the right cluster. A local activity runs where the workflow task
// runs, so retrying it here cannot help: its refusal is final, and the
// workflow sends the same call through the task queue instead.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, ActivityExecuteInput, Next } from '@temporalio/worker';
import { CLUSTER_PIN_HEADER } from '../domain/names.js';

export function clusterPinInterceptor(cluster: string | undefined): ActivityInterceptorsFactory {
  const inbound: ActivityInboundCallsInterceptor = {
    execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
      const header = input.headers[CLUSTER_PIN_HEADER];
      const pinned = header ? defaultPayloadConverter.fromPayload<unknown>(header) : undefined;
      if (pinned !== undefined && pinned !== cluster) {
        throw ApplicationFailure.create({
          type: 'WrongCluster',
          nonRetryable: Context.current().info.isLocal,
          message: `this deploy is pinned to cluster ${String(pinned)}, and this worker serves cluster ${cluster ?? 'unknown'}; nothing was written`,
        });
      }
      return next(input);
    },
  };
  return () => ({ inbound });
}
