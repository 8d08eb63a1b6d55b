// Slack for tests. Slack itself cannot be reached from here, so two halves of
// it are played by the test: the Web API (a local HTTP server answering
// chat.postMessage, chat.update, chat.postEphemeral, views.open,
// usergroups.users.list and auth.test as Slack documents them, recording every
// call and able to answer 429 / 500 for a while), and Slack's outgoing
// requests, signed exactly as Slack signs them: v0=HMAC-SHA256(secret,
// "v0:<timestamp>:<body>") in X-Slack-Signature, with X-Slack-Request-Timestamp.
// Everything else is real: the Bolt server, Temporal, the workers, the cluster.
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import type { Client } from '@temporalio/client';
import { parseSlackConfig } from '../../client/slack/config.js';
import { jsonLogger } from '../../client/slack/logger.js';
import { startSlackApp, slackWorkflowsPath, type RunningSlackApp } from '../../client/slack/run.js';
import type { AppSpec } from '../../domain/spec.js';
import type { StackInfo } from '../../stack/lifecycle.js';

export const TEST_TOKEN = 'xoxb-test-0000-bot-token-never-logged';
export const TEST_SIGNING_SECRET = 'test-signing-secret-never-logged-8f3a';
export const TEAM = 'T0TEST';

export interface WebApiCall {
  method: string;
  args: Record<string, unknown>;
  status: number;
  at: number;
}

export interface SlackUser {
  id: string;
  name: string;
}

type Fault = { status: 429 | 500; retryAfter?: number } | undefined;

/** Slack's Web API, played locally. */
export class WebApiStandIn {
  readonly calls: WebApiCall[] = [];
  /** Decides, per call, whether to fail it (429 or 500) instead of answering. */
  fault: (method: string, args: Record<string, unknown>) => Fault = () => undefined;
  readonly usergroups = new Map<string, string[]>();
  private readonly server: http.Server;
  private nextTs = 1_700_000_000_000_100;

  constructor() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => this.answer(req, res, body));
    });
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/api/`;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** Successful calls of a method, oldest first. */
  ok(method: string): WebApiCall[] {
    return this.calls.filter((c) => c.method === method && c.status === 200);
  }

  failed(): WebApiCall[] {
    return this.calls.filter((c) => c.status !== 200);
  }

  /** Every successful write to the message with this ts (the post, then its edits). */
  messageWrites(ts: string): WebApiCall[] {
    return this.calls.filter((c) => c.status === 200 && ((c.method === 'chat.postMessage' && c.args.__ts === ts) || (c.method === 'chat.update' && c.args.ts === ts)));
  }

  private answer(req: http.IncomingMessage, res: http.ServerResponse, body: string): void {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const args: Record<string, unknown> = {};
    for (const [k, v] of new URLSearchParams(body)) {
      args[k] = ['blocks', 'view'].includes(k) ? JSON.parse(v) : v;
    }
    const send = (status: number, payload?: object, headers: Record<string, string> = {}) => {
      this.calls.push({ method, args, status, at: Date.now() });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(payload ? JSON.stringify(payload) : '');
    };
    if (req.headers.authorization !== `Bearer ${TEST_TOKEN}`) return send(200, { ok: false, error: 'invalid_auth' });
    const fault = this.fault(method, args);
    if (fault?.status === 429) return send(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter ?? 1) });
    if (fault?.status === 500) return send(500, { ok: false, error: 'internal_error' });
    switch (method) {
      case 'auth.test':
        return send(200, { ok: true, url: 'https://test.slack.com/', team: 'test', user: 'deployflow', team_id: TEAM, user_id: 'U0BOTUSER', bot_id: 'B0BOT' });
      case 'chat.postMessage': {
        const ts = this.newTs();
        args.__ts = ts;
        return send(200, { ok: true, channel: args.channel, ts, message: { ts, text: args.text } });
      }
      case 'chat.update':
        return send(200, { ok: true, channel: args.channel, ts: args.ts, text: args.text });
      case 'chat.postEphemeral':
        return send(200, { ok: true, message_ts: this.newTs() });
      case 'views.open':
        return send(200, { ok: true, view: { id: 'V0VIEW', ...(args.view as object) } });
      case 'usergroups.users.list':
        return send(200, { ok: true, users: this.usergroups.get(String(args.usergroup)) ?? [] });
      default:
        return send(200, { ok: false, error: 'unknown_method' });
    }
  }

  private newTs(): string {
    const n = this.nextTs++;
    return `${Math.floor(n / 1_000_000)}.${String(n % 1_000_000).padStart(6, '0')}`;
  }
}

/** What Slack would send to the request URL, signed with the test signing secret. */
export class SlackRequests {
  private counter = 0;

  constructor(
    readonly url: string,
    private readonly secret = TEST_SIGNING_SECRET,
  ) {}

  /** POSTs a body as Slack does; `timestamp` and `secret` let a test forge or age a request. */
  async post(body: string, options: { timestamp?: number; secret?: string; unsigned?: boolean } = {}): Promise<{ status: number; text: string; signed: SignedRequest }> {
    const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
    const signed = sign(body, options.secret ?? this.secret, timestamp);
    return this.send(options.unsigned ? { body, headers: {} } : signed).then((r) => ({ ...r, signed }));
  }

  /** Sends exactly these bytes and headers again (a replay). */
  async send(request: SignedRequest): Promise<{ status: number; text: string }> {
    const res = await fetch(this.url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...request.headers }, body: request.body });
    return { status: res.status, text: await res.text() };
  }

  slashCommand(user: SlackUser, text: string, channel = 'C0DEPLOYS'): string {
    return new URLSearchParams({
      token: 'legacy-verification-token-unused',
      team_id: TEAM,
      team_domain: 'test',
      channel_id: channel,
      channel_name: 'deploys',
      user_id: user.id,
      user_name: user.name,
      command: '/deploy',
      text,
      api_app_id: 'A0APP',
      is_enterprise_install: 'false',
      response_url: 'https://hooks.slack.com/commands/T0TEST/1/unused',
      trigger_id: `trigger-${++this.counter}`,
    }).toString();
  }

  /** A click on a button of a message the app posted (as Slack sends it: the message's own blocks). */
  buttonClick(user: SlackUser, message: { channel: string; ts: string; blocks: unknown[] }, actionId: string): string {
    const button = findButton(message.blocks, actionId);
    if (!button) throw new Error(`the message has no ${actionId} button: ${JSON.stringify(message.blocks)}`);
    return payloadBody({
      type: 'block_actions',
      user: { id: user.id, username: user.name, name: user.name, team_id: TEAM },
      api_app_id: 'A0APP',
      token: 'legacy-verification-token-unused',
      container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
      trigger_id: `trigger-${++this.counter}`,
      team: { id: TEAM, domain: 'test' },
      channel: { id: message.channel, name: 'deploys' },
      message: { type: 'message', ts: message.ts, blocks: message.blocks },
      response_url: 'https://hooks.slack.com/actions/T0TEST/1/unused',
      actions: [{ type: 'button', action_id: actionId, block_id: 'deployflow_actions', value: button.value, text: button.text, action_ts: String(Date.now() / 1000) }],
    });
  }

  /** Submitting a modal the app opened with views.open. */
  viewSubmission(user: SlackUser, view: { callback_id: string; private_metadata: string }): string {
    return payloadBody({
      type: 'view_submission',
      team: { id: TEAM, domain: 'test' },
      user: { id: user.id, username: user.name, name: user.name, team_id: TEAM },
      api_app_id: 'A0APP',
      token: 'legacy-verification-token-unused',
      trigger_id: `trigger-${++this.counter}`,
      view: { id: 'V0VIEW', type: 'modal', team_id: TEAM, callback_id: view.callback_id, private_metadata: view.private_metadata, state: { values: {} }, hash: 'h', app_id: 'A0APP', bot_id: 'B0BOT' },
      response_urls: [],
    });
  }
}

export interface SignedRequest {
  body: string;
  headers: Record<string, string>;
}

export function sign(body: string, secret: string, timestamp: number): SignedRequest {
  const signature = 'v0=' + createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex');
  return { body, headers: { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature } };
}

function payloadBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export function findButton(blocks: unknown[], actionId: string): { value: string; text: unknown; confirm?: unknown } | undefined {
  for (const b of blocks as Array<{ type: string; elements?: Array<{ action_id?: string; value: string; text: unknown; confirm?: unknown }> }>) {
    const el = b.type === 'actions' ? b.elements?.find((e) => e.action_id === actionId) : undefined;
    if (el) return el;
  }
  return undefined;
}

let slackBundle: Promise<WorkflowBundleWithSourceMap> | undefined;

function bundle(): Promise<WorkflowBundleWithSourceMap> {
  slackBundle ??= bundleWorkflowCode({ workflowsPath: slackWorkflowsPath, logger: { info() {}, warn() {}, error: console.error, debug() {}, trace() {}, log() {} } });
  return slackBundle;
}

export interface SlackAppUnderTest {
  app: RunningSlackApp;
  api: WebApiStandIn;
  slack: SlackRequests;
  /** Everything the app logged (checked for secrets). */
  log: string[];
  specDir: string;
  stop(): Promise<void>;
}

/** The real Slack app, in this process, on a free port, talking to the stand-in and to the stack's Temporal. */
export async function startSlackAppUnderTest(
  info: StackInfo,
  client: Client,
  { specs, permissions, taskQueue }: { specs: AppSpec[]; permissions: unknown; taskQueue: string },
): Promise<SlackAppUnderTest> {
  const api = new WebApiStandIn();
  const apiUrl = await api.listen();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-slack-'));
  const specDir = path.join(dir, 'specs');
  fs.mkdirSync(specDir);
  for (const spec of specs) fs.writeFileSync(path.join(specDir, `${spec.name}.yaml`), yaml.dump(spec));
  const file = path.join(dir, 'slack.yaml');
  const raw = { specDir: 'specs', port: 0, host: '127.0.0.1', taskQueue, slackApiUrl: apiUrl, permissions };
  fs.writeFileSync(file, yaml.dump(raw));
  const config = parseSlackConfig(raw, {
    file,
    env: { SLACK_BOT_TOKEN: TEST_TOKEN, SLACK_SIGNING_SECRET: TEST_SIGNING_SECRET, DEPLOYFLOW_TEMPORAL_UI: 'http://127.0.0.1:8233' },
  });
  const log: string[] = [];
  const app = await startSlackApp({
    config,
    session: { client, connection: client.connection as never, namespace: 'default', address: info.temporalAddress },
    temporal: { connectionOptions: { address: info.temporalAddress }, namespace: 'default' },
    logger: jsonLogger({ write: (line: string) => log.push(line) }),
    workflowBundle: await bundle(),
    pollMs: 300,
  });
  return {
    app,
    api,
    slack: new SlackRequests(app.requestUrl),
    log,
    specDir,
    async stop() {
      await app.stop();
      await api.close();
    },
  };
}
