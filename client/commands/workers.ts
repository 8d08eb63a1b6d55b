// `deployctl workers --env E`: is a worker of environment E polling its task
// queue? Deploys to E wait (silently, in Temporal) while none is, so this is the
// first thing to ask when a deploy does not move — and the health check of the
// docker-compose workers. Temporal only: it sees pollers, not processes.
// With versioned workers it also shows each poller's build and which build is
// current: pollers of a build that is not current get no tasks.
import { taskQueueFor, validateEnvironmentName } from '../../domain/names.js';
import { RELEASE_PROFILE, RELEASE_TASK_QUEUE } from '../../domain/release-plan.js';
import { noPositionals, optionalInt, outputFormat, parseCommand, required } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { Output, formatDuration, formatTable } from '../output.js';
import { withTemporal, type TemporalSession } from '../temporal.js';
import { describeDeployment } from '../worker-deployment.js';
import { promoteUsage, runPromote } from './workers-promote.js';

// Numeric values of temporal.api.enums.v1 (only the type of @temporalio/proto is a dependency here).
const TASK_QUEUE_KIND_NORMAL = 1;
const QUEUE_TYPES = { workflow: 1, activity: 2 } as const;
/** Idle pollers re-poll about once a minute; twice that without one means no live worker. */
const DEFAULT_MAX_AGE_SECONDS = 120;

const usage = `deployctl workers --env E [--max-age SECONDS]
deployctl workers --release [--max-age SECONDS]
deployctl workers promote --env E --build-id ID [--allow-older]

Shows the workers polling task queue deploy-E (their identity, build and last
poll, for workflow and activity tasks) and the current build of the Worker
Deployment deployflow-E, as Temporal sees them. Exit 0 when at least one
worker that gets tasks (of the current build, or unversioned while no build is
current) polled within --max-age seconds (default ${DEFAULT_MAX_AGE_SECONDS}), 1 otherwise: deploys
to E would wait until a worker of E starts (deployctl worker --env E) or its
build is made current (deployctl workers promote, below).

With --release: the release workers polling task queue ${RELEASE_TASK_QUEUE} instead (in the
release namespace; deployctl release-worker).

Options:
  -e, --env E              environment (required unless --release)
      --release            the release worker instead
      --max-age SECONDS    how recent a poll must be to count (default ${DEFAULT_MAX_AGE_SECONDS})
  -o, --output text|json   json: { taskQueue, healthy, currentBuildId, builds, workers: [{ identity, buildId, types, lastPoll, ageSeconds }] }
  -h, --help

${promoteUsage}`;

interface Poller {
  identity: string;
  /** The worker's build (Worker Deployment version); null for an unversioned worker. */
  buildId: string | null;
  types: Array<keyof typeof QUEUE_TYPES>;
  lastPoll: string;
  ageSeconds: number;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv[0] === 'promote') return runPromote(argv.slice(1), io);
  const { values, positionals } = parseCommand('workers', argv, { env: { type: 'string', short: 'e' }, release: { type: 'boolean' }, 'max-age': { type: 'string' } });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  noPositionals('workers', positionals);
  const environment = values.release ? RELEASE_PROFILE : validateEnvironmentName(required(values.env, '--env', 'workers'));
  const maxAge = optionalInt(values['max-age'], '--max-age', 1) ?? DEFAULT_MAX_AGE_SECONDS;
  const taskQueue = values.release ? RELEASE_TASK_QUEUE : taskQueueFor(environment);

  return withTemporal(io, async (session) => {
    const workers = await pollers(session, taskQueue);
    const deployment = await describeDeployment(session, environment);
    const currentBuildId = deployment?.currentBuildId ?? null;
    const live = workers.filter((w) => w.ageSeconds <= maxAge);
    // The server hands tasks to the current build's pollers only; unversioned ones get them while no build is current.
    const serving = live.filter((w) => w.buildId === currentBuildId);
    const healthy = serving.length > 0;
    const builds = deployment?.versions ?? [];
    if (out.isJson) out.document({ environment, taskQueue, healthy, maxAgeSeconds: maxAge, currentBuildId, builds, workers });
    if (workers.length > 0) {
      const rows = workers.map((w) => [w.identity, buildLabel(w.buildId, currentBuildId), w.types.join('+'), `${formatDuration(w.ageSeconds * 1000)} ago`]);
      out.line(formatTable(['identity', 'build', 'polls', 'last poll'], rows));
    }
    if (healthy) out.line(`${serving.length} worker${serving.length === 1 ? '' : 's'} of ${environment} polling ${taskQueue}${currentBuildId ? ` (current build ${currentBuildId})` : ''}`);
    else if (live.length > 0) {
      const waiting = [...new Set(live.map((w) => w.buildId ?? 'unversioned'))].join(', ');
      out.note(
        `no worker of ${environment}'s current build (${currentBuildId ?? 'none: unversioned workers'}) polled ${taskQueue} in the last ${maxAge}s; ` +
          `workers of ${waiting} poll but get no tasks: deployctl workers promote --env ${environment} --build-id ID`,
      );
    } else out.note(`no worker of ${environment} polled ${taskQueue} in the last ${maxAge}s: deploys to ${environment} wait until one runs (deployctl worker --env ${environment})`);
    return healthy ? EXIT.ok : EXIT.failed;
  }, environment);
}

async function pollers(session: TemporalSession, taskQueue: string): Promise<Poller[]> {
  const now = Date.now();
  // One row per worker and build: two builds in one process (or one identity) are two workers to the server.
  const byWorker = new Map<string, Poller>();
  for (const [type, taskQueueType] of Object.entries(QUEUE_TYPES) as Array<[keyof typeof QUEUE_TYPES, number]>) {
    const response = await session.client.workflowService.describeTaskQueue({
      namespace: session.namespace,
      taskQueue: { name: taskQueue, kind: TASK_QUEUE_KIND_NORMAL },
      taskQueueType,
    });
    for (const p of response.pollers ?? []) {
      const identity = p.identity ?? '';
      const buildId = p.deploymentOptions?.buildId || null;
      const at = timestampMs(p.lastAccessTime);
      const key = `${identity}\n${buildId ?? ''}`;
      const seen = byWorker.get(key);
      if (seen) {
        seen.types.push(type);
        if (at > Date.parse(seen.lastPoll)) seen.lastPoll = new Date(at).toISOString();
      } else {
        byWorker.set(key, { identity, buildId, types: [type], lastPoll: new Date(at).toISOString(), ageSeconds: 0 });
      }
    }
  }
  const result = [...byWorker.values()];
  for (const p of result) p.ageSeconds = Math.max(0, Math.round((now - Date.parse(p.lastPoll)) / 1000));
  return result.sort((a, b) => a.ageSeconds - b.ageSeconds);
}

function buildLabel(buildId: string | null, current: string | null): string {
  if (buildId === null) return current === null ? 'unversioned' : 'unversioned (no tasks)';
  return buildId === current ? `${buildId} (current)` : `${buildId} (not current)`;
}

/** google.protobuf.Timestamp (seconds may be a Long) to epoch milliseconds. */
function timestampMs(ts: { seconds?: unknown; nanos?: number | null } | null | undefined): number {
  if (!ts) return 0;
  const s = ts.seconds;
  const seconds = typeof s === 'object' && s !== null && 'toNumber' in s ? (s as { toNumber(): number }).toNumber() : Number(s ?? 0);
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

export const workersCommand: Command = { name: 'workers', summary: 'is a worker of an environment polling? (exit 1 if none)', usage, run };
