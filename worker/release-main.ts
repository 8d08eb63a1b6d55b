// `deployctl release-worker [--notify-webhook URL]...`
import { parseArgs } from 'node:util';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { loadClientConnectConfig } from '@temporalio/envconfig';
import { RELEASE_PROFILE, RELEASE_TASK_QUEUE } from '../domain/release-plan.js';
import { profileForEnvironment } from '../client/profiles.js';
import { CodecConfigError } from '../codec/keys.js';
import { createReleaseWorker } from './release-run.js';
import { logLine } from './log.js';

const HELP = `deployctl release-worker [--notify-webhook URL]...

Runs the release worker: polls task queue ${RELEASE_TASK_QUEUE} and carries out
releases (deployctl release). It needs no kubeconfig and only the release
namespace's Temporal credentials: each environment's deploy and soak go through
the Nexus endpoint deploy-<env> to that environment's own worker (create the
endpoints with deployctl setup --nexus-endpoints). Temporal settings:
TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*,
TEMPORAL_PROFILE (or a profile named "${RELEASE_PROFILE}" in TEMPORAL_CONFIG_FILE).
Release phases are posted to each --notify-webhook (or DEPLOYFLOW_WEBHOOKS).`;

export async function main(argv: string[]): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { 'notify-webhook': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(HELP);
    return 0;
  }
  Runtime.install({ logger: new DefaultLogger('INFO', (entry: LogEntry) => process.stdout.write(logLine(entry) + '\n')) });
  try {
    const worker = await createReleaseWorker({
      temporal: loadClientConnectConfig({ profile: profileForEnvironment(process.env, RELEASE_PROFILE) }),
      webhooks: values['notify-webhook'] ?? process.env.DEPLOYFLOW_WEBHOOKS?.split(',').map((u) => u.trim()).filter(Boolean) ?? [],
      uiUrl: process.env.DEPLOYFLOW_TEMPORAL_UI,
    });
    Runtime.instance().logger.info('release worker started', { taskQueue: RELEASE_TASK_QUEUE, pid: process.pid });
    await worker.run();
    return 0;
  } catch (err) {
    console.error(`deployctl release-worker: ${err instanceof Error ? err.message : String(err)}`);
    return err instanceof CodecConfigError ? 2 : 4;
  }
}
