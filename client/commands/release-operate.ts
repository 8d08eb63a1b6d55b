// `deployctl release status|approve|stop NAME --image REF` and `release list`:
// an operator's view of releases and the two commands a running one takes.
import { WorkflowNotFoundError, WorkflowUpdateFailedError } from '@temporalio/client';
import { RELEASE_PROFILE, RELEASE_SEARCH_ATTRIBUTES } from '../../domain/release-plan.js';
import { RELEASE_PHASES, type ReleasePhase } from '../../domain/release-state.js';
import { appName, optionalInt, outputFormat, parseCommand, UsageError } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { formatTable, formatTime, Output } from '../output.js';
import { defaultRequester } from '../requester.js';
import { withTemporal } from '../temporal.js';
import { approveReleaseUpdate, RELEASE_WORKFLOW, releaseQuery, stopReleaseUpdate, type ReleaseProgress } from '../../workflows/release-messages.js';
import { quoted } from '../visibility-query.js';
import { releaseIdOf, type ReleaseHandle } from '../release-api.js';
import { approvalLines, releaseTable } from '../release-view.js';

const UPDATE_TIMEOUT_MS = 30_000;
const TARGET = { image: { type: 'string' } } as const;

async function progressOf(handle: ReleaseHandle): Promise<ReleaseProgress> {
  try {
    return await handle.query(releaseQuery);
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw new CliError(`no release ${handle.workflowId}`, EXIT.failed);
    throw err;
  }
}

async function status(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('release status', argv, TARGET);
  if (values.help) return help(io, 'deployctl release status NAME --image REF [--output json]   (or the release id)');
  const out = new Output(io, outputFormat(values.output));
  const id = releaseIdOf(appName('release status', positionals), values.image);
  return withTemporal(io, async (session) => {
    const p = await progressOf(session.client.workflow.getHandle(id));
    if (out.isJson) {
      out.document(p);
      return EXIT.ok;
    }
    out.line(`${p.releaseId}: ${p.phase}${p.result ? ` — ${p.result.message}` : ''}`);
    out.line(`through ${p.plan.environments.join(' → ')}, soak ${p.plan.soakSeconds}s, approve before ${p.plan.approve.join(', ') || 'none'}, on failure ${p.plan.onFailure}; requested by ${p.requestedBy}`);
    out.line(releaseTable(p.environments));
    for (const line of approvalLines(p.environments)) out.line(line);
    if (p.stop) out.line(`stop requested by ${p.stop.by} at ${p.stop.at}${p.stop.reason ? ` (${p.stop.reason})` : ''}`);
    if (p.nextActions.length > 0) out.line(`next: ${p.nextActions.map((a) => `deployctl release ${a} ${p.app} --image ${p.image}`).join(' | ')}`);
    return EXIT.ok;
  }, RELEASE_PROFILE);
}

const operate = (command: 'approve' | 'stop') => async (argv: string[], io: CliIo): Promise<number> => {
  const { values, positionals } = parseCommand(`release ${command}`, argv, { ...TARGET, reason: { type: 'string' }, 'requested-by': { type: 'string' } });
  if (values.help) return help(io, `deployctl release ${command} NAME --image REF [--reason TEXT] [--requested-by WHO]   (or the release id)`);
  const out = new Output(io, outputFormat(values.output));
  const id = releaseIdOf(appName(`release ${command}`, positionals), values.image);
  const request = { reason: values.reason, requestedBy: values['requested-by'] ?? defaultRequester(io.env) };
  return withTemporal(io, async (session) => {
    const handle = session.client.workflow.getHandle(id);
    try {
      const answer = await session.client.withDeadline(Date.now() + UPDATE_TIMEOUT_MS, () =>
        handle.executeUpdate(command === 'approve' ? approveReleaseUpdate : stopReleaseUpdate, { args: [request] }),
      );
      if (out.isJson) out.document({ releaseId: id, command, accepted: true, ...answer });
      else out.line(`${command}: ${answer.message}`);
      return EXIT.ok;
    } catch (err) {
      const refusal = err instanceof WorkflowUpdateFailedError ? (err.cause?.message ?? err.message) : err instanceof WorkflowNotFoundError ? `no release ${id}` : undefined;
      if (refusal === undefined) throw err;
      if (out.isJson) out.document({ releaseId: id, command, accepted: false, message: refusal });
      out.note(`${command} refused: ${refusal}`);
      return EXIT.failed;
    }
  }, RELEASE_PROFILE);
};

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('release list', argv, { phase: { type: 'string' }, 'awaiting-approval': { type: 'boolean' }, app: { type: 'string' }, limit: { type: 'string' } });
  if (values.help) return help(io, `deployctl release list [--phase ${RELEASE_PHASES.join('|')}] [--awaiting-approval] [--app A] [--limit N]`);
  if (positionals.length > 0) throw new UsageError(`deployctl release list: unexpected argument "${positionals[0]}"`);
  if (values.phase !== undefined && !(RELEASE_PHASES as readonly string[]).includes(values.phase)) throw new UsageError(`--phase must be one of ${RELEASE_PHASES.join(', ')}`);
  const out = new Output(io, outputFormat(values.output));
  const limit = optionalInt(values.limit, '--limit', 1) ?? 50;
  const query = releaseListQuery({ phase: values['awaiting-approval'] ? 'AwaitingApproval' : (values.phase as ReleasePhase | undefined), app: values.app });
  return withTemporal(io, async (session) => {
    const rows = [];
    for await (const w of session.client.workflow.list({ query, pageSize: Math.min(limit, 100) })) {
      const sa = w.searchAttributes as Record<string, unknown[] | undefined>;
      const first = (name: string) => String(sa[name]?.[0] ?? '');
      rows.push({
        releaseId: w.workflowId,
        app: first(RELEASE_SEARCH_ATTRIBUTES.app),
        image: first(RELEASE_SEARCH_ATTRIBUTES.image),
        phase: first(RELEASE_SEARCH_ATTRIBUTES.phase),
        awaitingApproval: first(RELEASE_SEARCH_ATTRIBUTES.awaitingApproval) || undefined,
        requestedBy: first(RELEASE_SEARCH_ATTRIBUTES.requestedBy),
        status: w.status.name,
        started: w.startTime.toISOString(),
      });
      if (rows.length >= limit) break;
    }
    if (out.isJson) out.document(rows);
    else out.line(formatTable(['release', 'phase', 'waits for', 'requested by', 'started'], rows.map((r) => [r.releaseId, r.phase, r.awaitingApproval ?? '-', r.requestedBy, formatTime(new Date(r.started))])));
    return EXIT.ok;
  }, RELEASE_PROFILE);
}

/** Visibility query for releases: "releases waiting for approval" is ReleasePhase = 'AwaitingApproval'. No ORDER BY: SQL visibility stores refuse it. */
export function releaseListQuery(filter: { phase?: ReleasePhase; app?: string }): string {
  const clauses = [`WorkflowType = ${quoted(RELEASE_WORKFLOW, 'workflow type')}`];
  if (filter.phase) clauses.push(`${RELEASE_SEARCH_ATTRIBUTES.phase} = ${quoted(filter.phase, '--phase')}`);
  if (filter.app) clauses.push(`${RELEASE_SEARCH_ATTRIBUTES.app} = ${quoted(filter.app, '--app')}`);
  return clauses.join(' AND ');
}

function help(io: CliIo, text: string): number {
  io.stdout.write(text + '\n');
  return EXIT.ok;
}

export const RELEASE_SUBCOMMANDS: Record<string, (argv: string[], io: CliIo) => Promise<number>> = {
  status,
  approve: operate('approve'),
  stop: operate('stop'),
  list,
};
