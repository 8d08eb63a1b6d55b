// `deployctl history NAME --env E`: the past deploys of one app in one
// environment, newest first. One workflow id per app and environment means
// its runs are exactly the app's deploy history.
import { optionalInt, outputFormat, parseCommand } from '../args.js';
import type { Command } from '../command.js';
import { deployInfoOf, outcomeOf, type DeployInfo } from '../deploy-info.js';
import { noDeploy } from '../find-deploy.js';
import type { CliIo } from '../io.js';
import { Output, formatDuration, formatTable, formatTime } from '../output.js';
import { TARGET_OPTIONS, targetOf } from '../target.js';
import { withTemporal } from '../temporal.js';
import { deployHistoryQuery } from '../visibility-query.js';

const usage = `deployctl history NAME --env E [--namespace NS] [--limit N]

Past deploys of app NAME in environment E, newest first: image, outcome,
who asked, when, and how long it took.

Options:
  -e, --env E              environment (required)
  -n, --namespace NS       the app's Kubernetes namespace (default: default)
      --limit N            at most N deploys (default 20)
  -o, --output text|json   json: an array of deploys with outcome and durationSeconds
  -h, --help`;

interface HistoryEntry extends DeployInfo {
  outcome: string;
  durationSeconds: number;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('history', argv, { ...TARGET_OPTIONS, limit: { type: 'string' } });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  const target = targetOf('history', positionals, values);
  const limit = optionalInt(values.limit, '--limit', 1) ?? 20;

  return withTemporal(io, async (session) => {
    const now = Date.now();
    const entries: HistoryEntry[] = [];
    // Visibility returns the running run first, then by close time: with one run at a
    // time per workflow id (I5) that is already newest first.
    for await (const execution of session.client.workflow.list({ query: deployHistoryQuery(target.workflowId), pageSize: Math.min(limit, 100) })) {
      const info = deployInfoOf(execution);
      const end = info.closeTime ? Date.parse(info.closeTime) : now;
      entries.push({ ...info, outcome: outcomeOf(info), durationSeconds: Math.round((end - Date.parse(info.startTime)) / 1000) });
      if (entries.length >= limit) break;
    }
    entries.sort((a, b) => Date.parse(b.startTime) - Date.parse(a.startTime));
    if (entries.length === 0) throw noDeploy(target);
    if (out.isJson) {
      out.document(entries);
      return 0;
    }
    const rows = entries.map((e) => [
      e.image,
      e.outcome,
      e.requestedBy,
      formatTime(new Date(e.startTime)),
      formatDuration(e.durationSeconds * 1000) + (e.closeTime ? '' : ' so far'),
    ]);
    out.line(formatTable(['image', 'outcome', 'who', 'when', 'duration'], rows));
    return 0;
  }, target.environment);
}

export const historyCommand: Command = { name: 'history', summary: 'past deploys of an app: image, outcome, who, when', usage, run };
