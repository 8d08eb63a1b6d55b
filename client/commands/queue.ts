// `deployctl queue NAME --env E`: what holds the app's lock and what waits for
// it (the `queue` query of queue/<env>/<ns>/<app>), or `--withdraw TICKET` to
// take a waiting request back.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { queueIdFor } from '../../domain/names.js';
import { queueQuery, withdrawUpdate, type QueueView } from '../../workflows/messages.js';
import { outputFormat, parseCommand } from '../args.js';
import type { Command } from '../command.js';
import { CliError, EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { Output, formatTable } from '../output.js';
import { defaultRequester } from '../requester.js';
import { TARGET_OPTIONS, targetOf, type Target } from '../target.js';
import { withTemporal, type TemporalSession } from '../temporal.js';

const usage = `deployctl queue NAME --env E [--namespace NS] [--withdraw TICKET]

Shows what runs under app NAME's lock in environment E and what waits in its
queue (deploy --queue fifo|latest-wins): ticket, image, who asked, since when,
and the policy. A deploy started outside the queue is shown too.

Options:
  -e, --env E              environment (required)
  -n, --namespace NS       the app's Kubernetes namespace (default: default)
      --withdraw TICKET    take a waiting request back (it ends Withdrawn, exit 1 for its requester)
  -o, --output text|json   json: { running, pending, finished, outsideQueue }
  -h, --help`;

interface QueueReport extends Omit<QueueView, 'running'> {
  running: QueueView['running'] | null;
  /** A deploy that holds the lock without going through the queue (reject mode, or started before the queue). */
  outsideQueue: { workflowId: string; runId: string } | null;
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('queue', argv, { ...TARGET_OPTIONS, withdraw: { type: 'string' } });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  const target = targetOf('queue', positionals, values);
  return withTemporal(io, async (session) => {
    if (values.withdraw !== undefined) return withdraw(session, target, values.withdraw, out, io);
    const report = await readQueue(session, target);
    if (out.isJson) out.document(report);
    else printQueue(out, report);
    return 0;
  }, target.environment);
}

async function readQueue(session: TemporalSession, target: Target): Promise<QueueReport> {
  const queueId = queueIdFor(target.environment, target.namespace, target.name);
  let view: QueueView = { queueId, environment: target.environment, namespace: target.namespace, name: target.name, pending: [], finished: [] };
  try {
    view = await session.client.workflow.getHandle(queueId).query(queueQuery);
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err; // never queued: an empty queue
  }
  let outsideQueue: QueueReport['outsideQueue'] = null;
  try {
    const deploy = await session.client.workflow.getHandle(target.workflowId).describe();
    if (deploy.status.name === 'RUNNING' && deploy.runId !== view.running?.deploy?.runId) outsideQueue = { workflowId: target.workflowId, runId: deploy.runId };
  } catch (err) {
    if (!(err instanceof WorkflowNotFoundError)) throw err;
  }
  return { ...view, running: view.running ?? null, outsideQueue };
}

function printQueue(out: Output, r: QueueReport): void {
  out.line(`${r.name} → ${r.environment} (namespace ${r.namespace}), ${r.queueId}`);
  if (r.outsideQueue) out.line(`  running outside the queue: ${r.outsideQueue.workflowId} (run ${r.outsideQueue.runId})`);
  const rows = [
    ...(r.running ? [[r.running.deploy ? 'running' : 'next', r.running.ticket, r.running.kind, r.running.image, r.running.requestedBy, r.running.startedAt ?? r.running.since, r.running.policy]] : []),
    ...r.pending.map((p, i) => [String(i + 1), p.ticket, p.kind, p.image, p.requestedBy, p.since, p.policy]),
  ];
  if (rows.length === 0) out.line('  nothing runs or waits in the queue');
  else out.line(formatTable(['#', 'TICKET', 'KIND', 'IMAGE', 'REQUESTED BY', 'SINCE', 'POLICY'], rows));
  if (r.running?.waitingFor) out.line(`  next waits: ${r.running.waitingFor}`);
}

async function withdraw(session: TemporalSession, target: Target, ticket: string, out: Output, io: CliIo): Promise<number> {
  const queueId = queueIdFor(target.environment, target.namespace, target.name);
  try {
    const ended = await session.client.workflow.getHandle(queueId).executeUpdate(withdrawUpdate, { args: [{ ticket, requestedBy: defaultRequester(io.env) }] });
    if (out.isJson) out.document(ended);
    else out.line(`${ended.ticket}: ${ended.outcome} (${ended.message})`);
    return 0;
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`nothing waits in ${queueId}`, EXIT.failed);
    if (err instanceof WorkflowUpdateFailedError) throw new CliError(`${queueId} refused: ${err.cause?.message ?? err.message}`, EXIT.failed);
    throw err;
  }
}

export const queueCommand: Command = { name: 'queue', summary: 'show what runs and what waits in an app\'s deploy queue', usage, run };
