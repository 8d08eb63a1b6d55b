// The Slack app's own workflow: one per deploy message, on the Slack app's
// task queue, so the bot token stays in that process and the deploy workflow
// knows nothing of Slack. Its one activity follows the deploy (the progress
// query, heartbeating) and edits the message until the final state is
// written; Slack being down only delays the edits (retried with backoff,
// resumed from the heartbeat's message ts).
import { proxyActivities } from '@temporalio/workflow';
import type { FollowInput, FollowResult, SlackActivities } from '../client/slack/follower.js';

const { followDeployMessage: follow } = proxyActivities<SlackActivities>({
  // A deploy can wait for a decision for hours; the heartbeat notices a dead Slack app.
  startToCloseTimeout: '30d',
  heartbeatTimeout: '30s',
  retry: { initialInterval: '2s', backoffCoefficient: 2, maximumInterval: '1m' },
});

export async function followDeployMessage(input: FollowInput): Promise<FollowResult> {
  return follow(input);
}
