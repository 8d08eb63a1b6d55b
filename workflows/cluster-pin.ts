// Pins a deploy to the cluster that admitted it. Two workers of one
// environment may poll one task queue while pointed at different clusters (a
// migration, two regions); without a pin, one deploy's steps could be split
// between them. The admission activity returns its worker's cluster (the UID
// of its kube-system namespace); from then on every activity this workflow
// schedules carries it in a header, and a worker of another cluster refuses
// the activity (worker/cluster-pin.ts), so a retry reaches the right one. A
// run continued as new is pinned from its input before it schedules anything.
// An interceptor, so no activity (today's or one added later) can forget it.
import {
  defaultPayloadConverter,
  type ActivityInput,
  type LocalActivityInput,
  type Next,
  type WorkflowExecuteInput,
  type WorkflowInboundCallsInterceptor,
  type WorkflowInterceptorsFactory,
  type WorkflowOutboundCallsInterceptor,
} from '@temporalio/workflow';
import { CLUSTER_PIN_HEADER } from '../domain/names.js';
import { isMapping } from '../domain/spec-checks.js';

class ClusterPin implements WorkflowInboundCallsInterceptor, WorkflowOutboundCallsInterceptor {
  private cluster: string | undefined;

  execute(input: WorkflowExecuteInput, next: Next<WorkflowInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const first = input.args[0];
    const continued = isMapping(first) && isMapping(first.continued) ? first.continued.cluster : undefined;
    if (typeof continued === 'string') this.cluster = continued;
    return next(input);
  }

  async scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>): Promise<unknown> {
    return this.learn(input.activityType, await next(this.stamped(input)));
  }

  async scheduleLocalActivity(input: LocalActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleLocalActivity'>): Promise<unknown> {
    return this.learn(input.activityType, await next(this.stamped(input)));
  }

  private stamped<T extends { headers: ActivityInput['headers'] }>(input: T): T {
    if (this.cluster === undefined) return input;
    return { ...input, headers: { ...input.headers, [CLUSTER_PIN_HEADER]: defaultPayloadConverter.toPayload(this.cluster) } };
  }

  /** The first admission's answer names the cluster; later answers cannot move the pin. */
  private learn(activityType: string, result: unknown): unknown {
    if (activityType === 'admitDeploy' && this.cluster === undefined && isMapping(result) && typeof result.cluster === 'string') {
      this.cluster = result.cluster;
    }
    return result;
  }
}

export const interceptors: WorkflowInterceptorsFactory = () => {
  const pin = new ClusterPin();
  return { inbound: [pin], outbound: [pin] };
};
