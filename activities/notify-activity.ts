// A notification sent from inside an activity: the deploy worker's and the
// release worker's both. A retry skips the webhooks already told (the
// delivered ids travel in the activity's heartbeat details).
import { Context } from '@temporalio/activity';
import { postNotification, type DeployNotification } from './notify.js';

export async function notifyWebhooks(webhooks: string[], uiUrl: string | undefined, notification: DeployNotification): Promise<number> {
  if (webhooks.length === 0) return 0;
  const ctx = Context.current();
  const earlier = ctx.info.heartbeatDetails;
  return postNotification(webhooks, notification, { uiUrl, temporalNamespace: ctx.info.workflowNamespace ?? ctx.info.activityNamespace }, {
    delivered: Array.isArray(earlier) ? earlier.filter((id): id is string => typeof id === 'string') : [],
    onDelivered: (ids) => ctx.heartbeat(ids),
  });
}
