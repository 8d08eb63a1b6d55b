// The release worker's only activity: telling the chat webhooks about release
// phases. The release worker holds no cluster credentials, so this is all it can do.
import type { DeployNotification } from './notify.js';
import { notifyWebhooks } from './notify-activity.js';

export interface ReleaseActivityDeps {
  webhooks?: string[];
  uiUrl?: string;
}

export function createReleaseActivities({ webhooks = [], uiUrl }: ReleaseActivityDeps) {
  return {
    /** `environment` names where the release stands (or the whole path, e.g. staging→production). */
    async notifyRelease(notification: DeployNotification): Promise<number> {
      return notifyWebhooks(webhooks, uiUrl, notification);
    },
  };
}

export type ReleaseActivities = ReturnType<typeof createReleaseActivities>;
