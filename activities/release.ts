// The release worker's only activity: telling the chat webhooks about release
// phases. The release worker holds no cluster credentials, so this is all it can do.
import { Context } from '@temporalio/activity';
import { postNotification, type DeployNotification } from './notify.js';

export interface ReleaseActivityDeps {
  webhooks?: string[];
  uiUrl?: string;
}

export function createReleaseActivities({ webhooks = [], uiUrl }: ReleaseActivityDeps) {
  return {
    /** `environment` names where the release stands (or the whole path, e.g. staging→production). */
    async notifyRelease(notification: DeployNotification): Promise<number> {
      if (webhooks.length === 0) return 0;
      const ctx = Context.current();
      const earlier = ctx.info.heartbeatDetails;
      return postNotification(webhooks, notification, { uiUrl, temporalNamespace: ctx.info.workflowNamespace ?? ctx.info.activityNamespace }, {
        delivered: Array.isArray(earlier) ? earlier.filter((id): id is string => typeof id === 'string') : [],
        onDelivered: (ids) => ctx.heartbeat(ids),
      });
    },
  };
}

export type ReleaseActivities = ReturnType<typeof createReleaseActivities>;
