// The Slack app process: the Bolt server and, beside it, a Temporal worker on
// the app's own task queue running the message followers. It connects to
// Temporal like deployctl does and holds no cluster credentials.
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import type { Logger } from '@slack/bolt';
import type { ClientConnectConfig } from '@temporalio/envconfig';
import type { TemporalSession } from '../temporal.js';
import { createSlackApp, serveSlackApp, EVENTS_PATH } from './app.js';
import type { SlackConfig } from './config.js';
import { createSlackActivities } from './follower.js';
import { followerClient } from './web-api.js';
import { codecSetup } from '../../codec/data-converter.js';
import { siblingModule, sourceOf } from '../../worker/sibling-module.js';

export const slackWorkflowsPath = sourceOf(siblingModule(import.meta.url, '../../workflows/slack-message'));

export interface SlackAppOptions {
  config: SlackConfig;
  session: TemporalSession;
  /** The worker's connection settings (the same server and namespace as the session). */
  temporal: ClientConnectConfig;
  logger: Logger;
  /** Pre-built bundle of workflows/slack-message.ts (tests share one). */
  workflowBundle?: WorkerOptions['workflowBundle'];
  pollMs?: number;
}

export interface RunningSlackApp {
  /** Base URL; Slack's request URL is this plus /slack/events. */
  url: string;
  requestUrl: string;
  worker: Worker;
  stop(): Promise<void>;
}

export async function startSlackApp(options: SlackAppOptions): Promise<RunningSlackApp> {
  const { config, session, logger } = options;
  const connection = await NativeConnection.connect(options.temporal.connectionOptions);
  const worker = await Worker.create({
    connection,
    // The follower reads deploys' encrypted payloads and writes its own: the one data converter (codec/).
    dataConverter: codecSetup().dataConverter,
    namespace: session.namespace,
    taskQueue: config.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: slackWorkflowsPath }),
    activities: createSlackActivities({
      temporal: session.client,
      namespace: session.namespace,
      slack: followerClient(config, logger),
      permissions: config.permissions,
      uiUrl: config.uiUrl,
      pollMs: options.pollMs,
    }),
    shutdownGraceTime: '5s',
    identity: `deployflow-slack@${process.pid}`,
  });
  const running = worker.run();
  const { listener } = createSlackApp({ config, temporal: session.client, namespace: session.namespace, logger });
  let server;
  try {
    server = await serveSlackApp(listener, config.port, config.host);
  } catch (err) {
    worker.shutdown();
    await running.catch(() => undefined);
    await connection.close();
    throw err;
  }
  logger.info(`slack app listening on ${server.url}${EVENTS_PATH}; message followers on task queue ${config.taskQueue}`);
  return {
    url: server.url,
    requestUrl: server.url + EVENTS_PATH,
    worker,
    async stop() {
      await server.close();
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      await connection.close();
    },
  };
}
