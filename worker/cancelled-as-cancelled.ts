// An activity the workflow cancelled must end as cancelled, whatever it threw:
// a scale or a pod watch aborted by the cancellation fails with the Kubernetes
// client's own error, and the SDK reports only a CancelledFailure or an
// AbortError as a cancellation. Reported as a failure, the workflow would take
// its failure path — roll back and end Failed — instead of ending Cancelled.
import { Context } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, ActivityExecuteInput, Next } from '@temporalio/worker';

export function cancelledAsCancelledInterceptor(): ActivityInterceptorsFactory {
  const inbound: ActivityInboundCallsInterceptor = {
    async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
      try {
        return await next(input);
      } catch (err) {
        const signal = Context.current().cancellationSignal;
        if (!signal.aborted || err instanceof CancelledFailure) throw err;
        // Only a typed failure's words: a raw client error's message can carry request headers.
        throw new CancelledFailure(err instanceof ApplicationFailure ? `cancelled: ${err.message}` : 'cancelled');
      }
    },
  };
  return () => ({ inbound });
}
