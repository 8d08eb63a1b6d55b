// Phase-change notifications to chat webhooks. The body is Slack-compatible
// (`text` plus `blocks`); other receivers get the same facts under `deployflow`.
import { ApplicationFailure } from '@temporalio/common';

export type NotificationEvent = 'started' | 'awaiting-approval' | 'stuck' | 'succeeded' | 'rolled-back' | 'failed';

export interface DeployNotification {
  event: NotificationEvent;
  app: string;
  environment: string;
  namespace: string;
  image: string;
  workflowId: string;
  requestedBy: string;
  message: string;
  reason?: string;
}

const ICONS: Record<NotificationEvent, string> = {
  started: ':rocket:',
  'awaiting-approval': ':raised_hand:',
  stuck: ':warning:',
  succeeded: ':white_check_mark:',
  'rolled-back': ':leftwards_arrow_with_hook:',
  failed: ':x:',
};

export function notificationBody(n: DeployNotification, uiUrl?: string): object {
  const link = uiUrl ? `${uiUrl.replace(/\/+$/, '')}/namespaces/default/workflows/${encodeURIComponent(n.workflowId)}` : undefined;
  const text = `${ICONS[n.event]} ${n.app} → ${n.environment} ${n.event}: ${n.image}${n.reason ? ` (${n.reason})` : ''} — ${n.message}`;
  const fields = [`*requested by* ${n.requestedBy}`, `*workflow* \`${n.workflowId}\``];
  if (link) fields.push(`<${link}|open in Temporal>`);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text } },
      { type: 'context', elements: fields.map((f) => ({ type: 'mrkdwn', text: f })) },
    ],
    deployflow: { ...n, uiUrl: link },
  };
}

/** Posts to every webhook; any failure throws (retryable) so Temporal tries again. */
export async function postNotification(webhooks: string[], n: DeployNotification, uiUrl?: string): Promise<number> {
  const body = JSON.stringify(notificationBody(n, uiUrl));
  const failures: string[] = [];
  await Promise.all(
    webhooks.map(async (url) => {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(5_000) });
        if (!res.ok) failures.push(`${url}: HTTP ${res.status}`);
      } catch (err) {
        failures.push(`${url}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }),
  );
  if (failures.length > 0) throw ApplicationFailure.retryable(`webhook delivery failed: ${failures.join('; ')}`, 'WebhookFailed');
  return webhooks.length;
}
