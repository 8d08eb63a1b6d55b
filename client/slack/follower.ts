// The follower activity: reads where a deploy stands (the progress query and
// the waiting activity's pod counts, as `deployctl watch` does) and keeps its
// Slack message equal to it. It runs in the Slack app's worker, the only
// process holding the bot token; the deploy's own worker never sees Slack.
//   - one message per deploy: the ts of the posted message is heartbeated, so
//     a retried activity (Slack app restarted) edits the same message;
//   - Slack down (429, 5xx, no connection): the loop waits (Retry-After, else
//     backoff) and writes the newest state when Slack is back: the message
//     catches up instead of replaying every intermediate state;
//   - it returns only once the final state is written.
import { setTimeout as sleep } from 'node:timers/promises';
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { Client } from '@temporalio/client';
import type { DeployProgress } from '../../workflows/messages.js';
import { waitForResult, type DeployHandle } from '../api.js';
import { temporalUiUrl } from '../links.js';
import { queryProgress, readSnapshot } from '../snapshot.js';
import { renderDeployMessage, type DeployView, type SlackMessage } from './message.js';
import { needsConfirmation, type Permissions } from './permissions.js';
import { slackFailure, type WebClient } from './web-api.js';

export interface FollowInput {
  workflowId: string;
  runId: string;
  app: string;
  environment: string;
  channel: string;
}

export interface FollowResult {
  ts: string;
  outcome: string;
}

export interface FollowerDeps {
  temporal: Client;
  namespace: string;
  slack: WebClient;
  permissions: Permissions;
  uiUrl?: string;
  /** How often the deploy is read (default 1 s); edits happen only when the message changes. */
  pollMs?: number;
}

const MAX_BACKOFF_MS = 30_000;

export function createSlackActivities(deps: FollowerDeps) {
  return {
    async followDeployMessage(input: FollowInput): Promise<FollowResult> {
      const ctx = Context.current();
      const pollMs = deps.pollMs ?? 1000;
      let ts = (ctx.info.heartbeatDetails as { ts?: string } | undefined)?.ts;
      let written: string | undefined;
      let backoffMs = 0;
      let last: DeployProgress | undefined;
      for (;;) {
        const view = await readDeployView(deps.temporal, input, last);
        last = view.snapshot.progress ?? last;
        const message = renderFor(deps, view, { buttons: true });
        const key = JSON.stringify(message);
        let waitMs = pollMs;
        if (key !== written) {
          try {
            ts = await writeMessage(deps.slack, input.channel, ts, message);
            written = key;
            backoffMs = 0;
          } catch (err) {
            const failure = slackFailure(ts ? 'chat.update' : 'chat.postMessage', err);
            if (failure.permanent) {
              throw ApplicationFailure.nonRetryable(`Slack refused the deploy message: ${failure.what}`, 'SlackRefused');
            }
            backoffMs = Math.min(MAX_BACKOFF_MS, Math.max(1000, backoffMs * 2));
            waitMs = Math.max(pollMs, failure.retryAfterMs ?? backoffMs);
            ctx.log.warn('Slack call failed; the message catches up later', { workflowId: input.workflowId, failure: failure.what, retryInMs: waitMs });
          }
        }
        ctx.heartbeat({ ts });
        if (view.result && written === key && ts) return { ts, outcome: view.result.outcome };
        await sleep(waitMs, undefined, { signal: ctx.cancellationSignal });
      }
    },
  };
}

export type SlackActivities = ReturnType<typeof createSlackActivities>;

/** Where a deploy run stands; after its end, the result plus its final progress when a worker can still answer. */
export async function readDeployView(temporal: Client, input: Omit<FollowInput, 'channel'>, last?: DeployProgress): Promise<DeployView> {
  const handle: DeployHandle = temporal.workflow.getHandle(input.workflowId, input.runId);
  const base = { workflowId: input.workflowId, runId: input.runId, app: input.app, environment: input.environment };
  let status: string;
  try {
    status = (await temporal.withDeadline(Date.now() + 3000, () => handle.describe())).status.name;
  } catch (err) {
    return { ...base, snapshot: { progress: last, queryError: err instanceof Error ? err.message.split('\n')[0] : String(err) } };
  }
  if (status === 'RUNNING') return { ...base, snapshot: await readSnapshot(temporal, handle) };
  const result = await waitForResult(handle);
  const final = await queryProgress(temporal, handle);
  return { ...base, snapshot: { progress: final.progress ?? last }, result };
}

export function renderFor(deps: Pick<FollowerDeps, 'namespace' | 'permissions' | 'uiUrl'>, view: DeployView, { buttons }: { buttons: boolean }): SlackMessage {
  return renderDeployMessage(view, {
    buttons,
    confirm: needsConfirmation(deps.permissions, view.environment),
    uiUrl: temporalUiUrl({ DEPLOYFLOW_TEMPORAL_UI: deps.uiUrl }, deps.namespace, view.workflowId, view.runId),
  });
}

async function writeMessage(slack: WebClient, channel: string, ts: string | undefined, message: SlackMessage): Promise<string> {
  if (ts) {
    await slack.chat.update({ channel, ts, text: message.text, blocks: message.blocks });
    return ts;
  }
  const posted = await slack.chat.postMessage({ channel, text: message.text, blocks: message.blocks });
  if (!posted.ts) throw new Error('chat.postMessage answered without a ts');
  return posted.ts;
}
