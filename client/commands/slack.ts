// `deployctl slack --config FILE`: the Slack app server (slash command,
// buttons, live deploy messages). Its modules load only when it runs, so the
// other commands do not pay for Bolt and the Temporal worker.
import { noPositionals, parseCommand } from '../args.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';
import { connectTemporal, loadConfig } from '../temporal.js';

const usage = `deployctl slack --config FILE [--port N] [--host ADDR]

Runs the Slack app: Bolt for JavaScript in HTTP mode. Slack sends the
/deploy slash command, button clicks and confirmation dialogs to one request
URL, http(s)://<this server>/slack/events; GET /healthz answers ok. Every
request must carry Slack's signature (v0, HMAC-SHA256 with the signing
secret, at most 5 minutes old, never seen before); others get 401 and touch
nothing. Each deploy started from Slack gets one message, edited in place as
it runs, by a follower workflow on this app's own task queue (taskQueue in
the config, default "slack"), so the bot token stays in this process. It
needs no cluster credentials.

Secrets (environment, or files): SLACK_BOT_TOKEN or SLACK_BOT_TOKEN_FILE,
SLACK_SIGNING_SECRET or SLACK_SIGNING_SECRET_FILE (or botTokenFile and
signingSecretFile in the config). The config file (YAML, see
examples/slack/deployflow-slack.yaml) names the spec directory, the
permissions and the environments that ask for confirmation.

Options:
  -c, --config FILE   the Slack app's config (default: $DEPLOYFLOW_SLACK_CONFIG)
      --port N        listen port (default: $PORT, the config's port, 3000)
      --host ADDR     listen address (default: $HOST, the config's host, 0.0.0.0)
  -h, --help

Temporal settings as for every command (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_API_KEY, TLS files, TEMPORAL_PROFILE); DEPLOYFLOW_TEMPORAL_UI adds links.`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('slack', argv, {
    config: { type: 'string', short: 'c' },
    port: { type: 'string' },
    host: { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  noPositionals('slack', positionals);
  const [{ loadSlackConfig }, { startSlackApp }, { jsonLogger }, { DefaultLogger, Runtime }] = await Promise.all([
    import('../slack/config.js'),
    import('../slack/run.js'),
    import('../slack/logger.js'),
    import('@temporalio/worker'),
  ]);
  const config = loadSlackConfig({ config: values.config, port: values.port, host: values.host }, io.env);
  const logger = jsonLogger(io.stdout);
  Runtime.install({ logger: new DefaultLogger('WARN', (entry) => logger.warn(entry.message, entry.meta ?? {})) });
  const session = await connectTemporal(io.env);
  const app = await startSlackApp({ config, session, temporal: loadConfig(io.env), logger });
  await new Promise<void>((resolve) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => resolve());
  });
  logger.info('stopping');
  await app.stop();
  await session.connection.close().catch(() => undefined);
  return 0;
}

export const slackCommand: Command = { name: 'slack', summary: 'run the Slack app (slash command, live messages, buttons)', usage, run };
