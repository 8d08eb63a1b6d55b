// Phase-change notifications to chat webhooks. The body is Slack-compatible
// (`text` plus `blocks`); other receivers get the same facts under `deployflow`.
//
// A webhook URL is a credential (Slack's carries its token in the path), so it
// never reaches a failure message, history or a log: failures name the host
// only. Redirects are refused (a redirect would carry the body, and the token,
// somewhere else). Each webhook is told once: the activity heartbeats which ones
// took the message, and a retry after one failed posts only to the rest.
import crypto from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';

// The last three are a release's: promoted everywhere, pinned by a manual change, stopped by an operator.
export type NotificationEvent = 'started' | 'awaiting-approval' | 'stuck' | 'succeeded' | 'rolled-back' | 'failed' | 'promoted' | 'pinned' | 'stopped';

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
  promoted: ':tada:',
  pinned: ':pushpin:',
  stopped: ':octagonal_sign:',
};

/** Slack's control characters: `<!channel>` or `<https://evil|here>` in a reason must stay text. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface NotifyTarget {
  /** Temporal Web UI base URL, for a link to the deploy. */
  uiUrl?: string;
  /** The deploy's Temporal namespace (the link's). */
  temporalNamespace: string;
}

export function notificationBody(n: DeployNotification, target: NotifyTarget): object {
  const link = target.uiUrl
    ? `${target.uiUrl.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(target.temporalNamespace)}/workflows/${encodeURIComponent(n.workflowId)}`
    : undefined;
  const e = escapeMrkdwn;
  const text = `${ICONS[n.event]} ${e(n.app)} → ${e(n.environment)} ${n.event}: ${e(n.image)}${n.reason ? ` (${e(n.reason)})` : ''} — ${e(n.message)}`;
  const fields = [`*requested by* ${e(n.requestedBy)}`, `*workflow* \`${e(n.workflowId)}\``];
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

/** What may be said about a webhook anywhere: its host, never its path or query. */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid webhook URL)';
  }
}

/** A short, one-way id for the heartbeat's list of webhooks already told. */
export function webhookId(url: string): string {
  return crypto.createHash('sha256').update(url).digest('hex').slice(0, 12);
}

export interface DeliveryState {
  /** Webhook ids delivered by an earlier attempt of this activity. */
  delivered: readonly string[];
  /** Called after each delivery with every id delivered so far (the activity heartbeats them). */
  onDelivered(ids: string[]): void;
}

/** Posts to every webhook not yet told; any failure throws (retryable) so Temporal tries the rest again. */
export async function postNotification(webhooks: string[], n: DeployNotification, target: NotifyTarget, state?: DeliveryState): Promise<number> {
  const body = JSON.stringify(notificationBody(n, target));
  const delivered = new Set(state?.delivered ?? []);
  const failures: string[] = [];
  await Promise.all(
    webhooks.map(async (url) => {
      const id = webhookId(url);
      if (delivered.has(id)) return;
      const failure = await post(url, body);
      if (failure) failures.push(`${webhookHost(url)}: ${failure}`);
      else {
        delivered.add(id);
        state?.onDelivered([...delivered]);
      }
    }),
  );
  if (failures.length > 0) throw ApplicationFailure.retryable(`webhook delivery failed: ${failures.join('; ')}`, 'WebhookFailed');
  return webhooks.length;
}

/** One POST; resolves with what went wrong (no URL in it), or undefined. */
async function post(url: string, body: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(5_000),
    });
    await res.body?.cancel().catch(() => undefined);
    if (res.status >= 300 && res.status < 400) return `HTTP ${res.status}: redirects are refused`;
    return res.ok ? undefined : `HTTP ${res.status}`;
  } catch (err) {
    // fetch's own messages name no URL, but a cause may: keep the error's name and code only.
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
    const code = (cause as { code?: unknown } | undefined)?.code;
    if (err instanceof Error && err.name === 'TimeoutError') return 'timed out after 5s';
    return typeof code === 'string' ? `cannot connect (${code})` : 'cannot connect';
  }
}
