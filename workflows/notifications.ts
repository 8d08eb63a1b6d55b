// What a deploy tells the chat webhooks: started, stuck, and how it ended.
import type { NotificationEvent } from '../activities/index.js';
import * as cluster from './cluster.js';
import type { DeployTracker } from './tracker.js';

export function notifyPhase(tracker: DeployTracker, event: NotificationEvent, message: string, reason?: string): Promise<void> {
  if (!tracker.notifies) return Promise.resolve();
  const p = tracker.progress;
  return cluster.notify({
    event,
    app: p.app,
    environment: p.environment,
    namespace: p.namespace,
    image: p.image,
    workflowId: p.workflowId,
    requestedBy: p.requestedBy,
    message,
    reason,
  });
}
