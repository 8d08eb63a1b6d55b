// `deployctl list`: deploys across apps and environments, from Temporal's
// visibility store (so it works without workers): running ones first, then
// the most recently ended. `--phase Stuck --env production` is the operator's
// morning question.
import { PHASES, isPhase } from '../../domain/phases.js';
import { closestMatch } from '../../domain/suggest.js';
import { noPositionals, optionalInt, outputFormat, parseCommand, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { deployInfoOf, type DeployInfo } from '../deploy-info.js';
import type { CliIo } from '../io.js';
import { Output, formatTable, formatTime } from '../output.js';
import { readEachEnvironment, reportUnreadable, separateEnvironments } from '../every-environment.js';
import { withTemporal, type TemporalSession } from '../temporal.js';
import { deployListQuery } from '../visibility-query.js';

const usage = `deployctl list [--env E] [--phase P] [--app A] [--limit N]

Lists deploys, running ones first, then the most recently ended.
Filters use the search attributes every deploy keeps up to date. When each
environment has a Temporal profile of its own (a namespace per environment),
without --env every environment is read, and those the credentials cannot read
are named on stderr.

Options:
  -e, --env E              only this environment
      --phase P            only this phase (${PHASES.join(', ')})
      --app A              only this app (its "app" label)
      --limit N            at most N deploys (default 50)
  -o, --output text|json   json: an array of deploys
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('list', argv, {
    env: { type: 'string', short: 'e' },
    phase: { type: 'string' },
    app: { type: 'string' },
    limit: { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  noPositionals('list', positionals);
  if (values.phase !== undefined && !isPhase(values.phase)) {
    const guess = closestMatch(values.phase, PHASES);
    throw new UsageError(`--phase must be one of ${PHASES.join(', ')}${guess ? ` (did you mean ${guess}?)` : ''}`);
  }
  const limit = optionalInt(values.limit, '--limit', 1) ?? 50;
  const query = deployListQuery({ environment: values.env, phase: values.phase, app: values.app });

  const listed = async (session: TemporalSession, q: string) => {
    const deploys: DeployInfo[] = [];
    for await (const execution of session.client.workflow.list({ query: q, pageSize: Math.min(limit, 100) })) {
      deploys.push(deployInfoOf(execution));
      if (deploys.length >= limit) break;
    }
    return deploys;
  };
  const environments = values.env === undefined ? separateEnvironments(io) : [];
  if (environments.length === 0) return withTemporal(io, async (session) => show(await listed(session, query)), values.env);
  const perEnvironment = await readEachEnvironment(io, environments, (session, environment) =>
    listed(session, deployListQuery({ environment, phase: values.phase, app: values.app })),
  );
  reportUnreadable(perEnvironment, (text) => out.note(text));
  return show(mergeNewestFirst(perEnvironment.read.map((r) => r.value)).slice(0, limit));

  function show(deploys: DeployInfo[]): number {
    if (out.isJson) {
      out.document(deploys);
      return 0;
    }
    if (deploys.length === 0) {
      out.line('no deploys match');
      return 0;
    }
    const headers = ['app', 'environment', 'phase', 'image', 'requested by', 'started', 'status'];
    out.line(formatTable(headers, deploys.map((d) => [d.app, d.environment, d.phase, d.image, d.requestedBy, formatTime(new Date(d.startTime)), d.status])));
    return 0;
  }
}

/** Several environments' lists as one: running first, then newest first (what each list already is). */
export function mergeNewestFirst(lists: DeployInfo[][]): DeployInfo[] {
  const running = (d: DeployInfo) => (d.status === 'RUNNING' ? 0 : 1);
  return lists.flat().sort((a, b) => running(a) - running(b) || Date.parse(b.startTime) - Date.parse(a.startTime));
}

export const listCommand: Command = { name: 'list', summary: 'list running and recent deploys (filter by env, phase, app)', usage, run };
