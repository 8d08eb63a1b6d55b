// The Slack app: Bolt for JavaScript in HTTP mode, one request URL
// (/slack/events) for the slash command, the buttons and the confirmation
// dialogs. Requests pass the replay guard, then Bolt's signature check, before
// any handler runs; only then is Temporal contacted.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, type BlockAction, type ButtonAction, type Logger } from '@slack/bolt';
import type { Client } from '@temporalio/client';
import type { SlackConfig } from './config.js';
import { parseCommandText, usageText, type SlashCommand } from './command-text.js';
import { readDeployView, renderFor } from './follower.js';
import { ACTION_PREFIX, parseButtonValue } from './message.js';
import {
  authorize,
  confirmationNeeded,
  currentDeploy,
  environmentOf,
  failureText,
  perform,
  renderDeps,
  requesterOf,
  resolveCommand,
  type OperationDeps,
  type Reply,
  type Resolved,
  type SlackActor,
} from './operations.js';
import { requestOperatorUpdate } from '../operator-update.js';
import { parseWorkflowId } from '../../domain/names.js';
import type { OperatorCommand } from '../../workflows/messages.js';
import { ReplayGuard } from './replay-guard.js';
import { slackRequester } from './requester.js';
import { replyClientOptions } from './web-api.js';

export const EVENTS_PATH = '/slack/events';
const CONFIRM_VIEW = 'deployflow_confirm';
const BUTTON_COMMANDS: readonly OperatorCommand[] = ['approve', 'retry', 'resume', 'rollback'];
const USERGROUP_CACHE_MS = 60_000;

export interface SlackAppDeps {
  config: SlackConfig;
  temporal: Client;
  namespace: string;
  logger: Logger;
}

export interface SlackServer {
  url: string;
  close(): Promise<void>;
}

export function createSlackApp({ config, temporal, namespace, logger }: SlackAppDeps): { app: App; listener: http.RequestListener } {
  const receiver = new HTTPReceiver({ signingSecret: config.signingSecret.reveal(), endpoints: EVENTS_PATH, logger });
  const app = new App({ token: config.botToken.reveal(), receiver, logger, clientOptions: replyClientOptions(config, logger) });
  const members = new Map<string, { at: number; users: Promise<ReadonlySet<string>> }>();
  const deps: OperationDeps = {
    config,
    temporal,
    namespace,
    membersOf(usergroup) {
      const cached = members.get(usergroup);
      if (cached && Date.now() - cached.at < USERGROUP_CACHE_MS) return cached.users;
      const users = app.client.usergroups.users.list({ usergroup }).then((r) => new Set(r.users ?? []));
      users.catch(() => members.delete(usergroup));
      members.set(usergroup, { at: Date.now(), users });
      return users;
    },
  };
  const ephemeral = (channel: string, user: string, reply: Reply) =>
    app.client.chat.postEphemeral({ channel, user, text: reply.text, ...(reply.blocks && { blocks: reply.blocks }) }).then(
      () => undefined,
      (err: unknown) => logger.warn(`could not reply to ${user}: ${failureText(err)}`),
    );

  app.command(config.command, async ({ command, ack }) => {
    const actor: SlackActor = { userId: command.user_id, name: command.user_name };
    const parsed = parseCommandText(command.text, config.command);
    if (!parsed.ok) return ack({ response_type: 'ephemeral', text: parsed.message });
    if (parsed.command.kind === 'help') return ack({ response_type: 'ephemeral', text: usageText(config.command) });
    let resolved: Resolved;
    try {
      resolved = resolveCommand(config, parsed.command, actor);
    } catch (err) {
      return ack({ response_type: 'ephemeral', text: `:x: ${failureText(err)}` });
    }
    // Approving needs the deploy's requester (nobody approves their own deploy).
    const requester = resolved.action === 'approve' ? requesterOf(await currentDeploy(deps, resolved.workflowId)) : undefined;
    const verdict = await authorize(deps, actor, resolved.action, resolved.environment, requester);
    if (!verdict.allowed) return ack({ response_type: 'ephemeral', text: `:no_entry: ${verdict.message}` });
    if (confirmationNeeded(deps, resolved)) {
      await ack();
      await app.client.views.open({ trigger_id: command.trigger_id, view: confirmView(parsed.command, resolved, command.channel_id) });
      return;
    }
    await ack({ response_type: 'ephemeral', text: `${describeCommand(resolved)}…` });
    await ephemeral(command.channel_id, actor.userId, await perform(deps, actor, resolved, command.channel_id));
  });

  app.view(CONFIRM_VIEW, async ({ ack, body, view }) => {
    await ack();
    const actor: SlackActor = { userId: body.user.id, name: body.user.name };
    const pending = parsePending(view.private_metadata);
    if (!pending) return;
    let resolved: Resolved;
    try {
      resolved = resolveCommand(config, pending.command, actor);
    } catch (err) {
      return ephemeral(pending.channel, actor.userId, { text: `:x: ${failureText(err)}` });
    }
    // Checked again: the dialog was opened a while ago, and by whoever submits it.
    const requester = resolved.action === 'approve' ? requesterOf(await currentDeploy(deps, resolved.workflowId)) : undefined;
    const verdict = await authorize(deps, actor, resolved.action, resolved.environment, requester);
    if (!verdict.allowed) return ephemeral(pending.channel, actor.userId, { text: `:no_entry: ${verdict.message}` });
    await ephemeral(pending.channel, actor.userId, await perform(deps, actor, resolved, pending.channel));
  });

  app.action<BlockAction<ButtonAction>>({ type: 'block_actions', action_id: new RegExp(`^${ACTION_PREFIX}`) }, async ({ ack, body, action }) => {
    await ack();
    const actor: SlackActor = { userId: body.user.id, name: body.user.username ?? body.user.name };
    const channel = body.container?.channel_id ?? body.channel?.id;
    const messageTs = body.container?.message_ts ?? body.message?.ts;
    if (!channel) return;
    const command = action.action_id.slice(ACTION_PREFIX.length) as OperatorCommand;
    const value = parseButtonValue(action.value);
    const environment = value && environmentOf(value.w);
    const target = value && parseWorkflowId(value.w);
    if (!value || !environment || !target || !BUTTON_COMMANDS.includes(command)) {
      return ephemeral(channel, actor.userId, { text: ':x: this button is not one deployflow made' });
    }
    const refresh = async () => {
      if (!messageTs) return;
      const view = await readDeployView(temporal, { workflowId: value.w, runId: value.r, app: target.name, environment });
      const message = renderFor(renderDeps(deps), view, { buttons: true });
      await app.client.chat.update({ channel, ts: messageTs, text: message.text, blocks: message.blocks }).catch((err: unknown) => {
        logger.warn(`could not refresh the message: ${failureText(err)}`);
      });
    };
    try {
      const found = await currentDeploy(deps, value.w, value.r);
      if (!found) return ephemeral(channel, actor.userId, { text: ':x: that deploy is not known to Temporal (any more)' });
      const verdict = await authorize(deps, actor, command, environment, requesterOf(found));
      if (!verdict.allowed) return ephemeral(channel, actor.userId, { text: `:no_entry: ${verdict.message}` });
      const request = { requestedBy: slackRequester(actor.userId, actor.name), reason: 'Slack button' };
      const outcome = await requestOperatorUpdate(temporal, found, command, request, environment);
      if (outcome.accepted) return;
      // A stale button: say why, and show the buttons that apply now.
      await ephemeral(channel, actor.userId, { text: `:no_entry: ${command} refused: ${outcome.message}` });
      await refresh();
    } catch (err) {
      await ephemeral(channel, actor.userId, { text: `:x: ${command} failed: ${failureText(err)}` });
    }
  });

  app.error(async (err) => {
    logger.error(`handler failed: ${failureText(err)}`);
  });

  const guard = new ReplayGuard();
  const listener: http.RequestListener = (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (req.method === 'GET' && path === '/healthz') return void res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    if (path !== EVENTS_PATH || req.method !== 'POST') return void res.writeHead(404).end();
    const verdict = guard.check(req.headers);
    if (!verdict.ok) {
      logger.warn(`refused a request: ${verdict.reason}`);
      req.resume();
      return void res.writeHead(401, { 'content-type': 'text/plain' }).end(`${verdict.reason}\n`);
    }
    receiver.requestListener(req, res);
  };
  return { app, listener };
}

/** Serves the app on host:port (0: any free port); resolves once listening. */
export async function serveSlackApp(listener: http.RequestListener, port: number, host: string): Promise<SlackServer> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface Pending {
  command: Resolved['command'];
  channel: string;
}

function confirmView(command: Resolved['command'], resolved: Resolved, channel: string) {
  const what = describeCommand(resolved);
  return {
    type: 'modal' as const,
    callback_id: CONFIRM_VIEW,
    private_metadata: JSON.stringify({ command, channel } satisfies Pending),
    title: { type: 'plain_text' as const, text: `Confirm: ${resolved.environment}`.slice(0, 24) },
    submit: { type: 'plain_text' as const, text: resolved.action === 'deploy' ? 'Deploy' : capitalized(resolved.action) },
    close: { type: 'plain_text' as const, text: 'Cancel' },
    blocks: [{ type: 'section' as const, text: { type: 'mrkdwn' as const, text: `${what} in *${resolved.environment}*?\nThis is recorded under your name.` } }],
  };
}

function parsePending(metadata: string): Pending | undefined {
  try {
    const p = JSON.parse(metadata) as Partial<Pending>;
    if (typeof p.channel !== 'string' || typeof p.command !== 'object' || p.command === null) return undefined;
    // Re-parsed from words so that only what the slash command accepts comes back in.
    const reparsed = parseCommandText(commandWords(p.command as SlashCommand));
    return reparsed.ok && reparsed.command.kind !== 'help' ? { command: reparsed.command, channel: p.channel } : undefined;
  } catch {
    return undefined;
  }
}

function commandWords(c: SlashCommand): string {
  switch (c.kind) {
    case 'deploy':
      return `${c.app} ${c.environment} ${c.image}`;
    case 'status':
      return `status ${c.app} ${c.environment}`;
    case 'operator':
      return `${c.command} ${c.app} ${c.environment}${c.reason ? ` ${c.reason}` : ''}`;
    default:
      return 'help';
  }
}

function describeCommand(r: Resolved): string {
  if (r.command.kind === 'deploy') return `Deploy \`${r.prepared?.meta.image ?? r.command.image}\` of *${r.spec.name}*`;
  if (r.command.kind === 'status') return `Status of *${r.spec.name}*`;
  return `${capitalized(r.command.command)} *${r.spec.name}*`;
}

function capitalized(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
