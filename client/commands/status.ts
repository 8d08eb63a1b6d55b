// `deployctl status NAME --env E`: where the latest deploy of an app stands.
// The progress query gives the full picture but needs a running worker;
// without one, the search attributes still tell phase, image and requester.
import type { DeployProgress, OperatorCommand } from '../../workflows/messages.js';
import { outputFormat, parseCommand } from '../args.js';
import type { Command } from '../command.js';
import { deployInfoOf, type DeployInfo } from '../deploy-info.js';
import { findDeploy } from '../find-deploy.js';
import type { CliIo } from '../io.js';
import { temporalUiUrl } from '../links.js';
import { Output, formatTime } from '../output.js';
import { queryProgress } from '../snapshot.js';
import { TARGET_OPTIONS, targetOf } from '../target.js';
import { withTemporal } from '../temporal.js';

const usage = `deployctl status NAME --env E [--namespace NS]

Shows the latest deploy of app NAME in environment E: phase, step k of n,
the new and old RCs with replicas and available pods, what it waits for,
the last error and what an operator can do next. Exit 1 if there is none.

Options:
  -e, --env E              environment (required)
  -n, --namespace NS       the app's Kubernetes namespace (default: default)
  -o, --output text|json   json: the progress object plus "status"
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('status', argv, TARGET_OPTIONS);
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  const target = targetOf('status', positionals, values);

  return withTemporal(io, async (session) => {
    const { handle, description } = await findDeploy(session, target);
    const info = deployInfoOf(description);
    const uiUrl = temporalUiUrl(io.env, session.namespace, target.workflowId);
    const { progress, error } = await queryProgress(session.client, handle);
    if (progress) {
      if (out.isJson) out.document({ ...progress, status: info.status, runId: info.runId, startTime: info.startTime, closeTime: info.closeTime, uiUrl });
      else printProgress(out, progress, info, uiUrl);
    } else {
      if (out.isJson) out.document({ ...info, uiUrl, progressUnavailable: error });
      else printInfo(out, info, uiUrl);
      out.note(`(no progress query answer: ${error}; showing what Temporal's visibility store knows — is the worker of ${target.environment} running?)`);
    }
    return 0;
  }, target.environment);
}

function printFields(out: Output, fields: Array<[string, string | undefined]>): void {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  for (const [key, value] of fields) if (value) out.line(`  ${(key + ':').padEnd(width)} ${value}`);
}

function printProgress(out: Output, p: DeployProgress, info: DeployInfo, uiUrl: string | undefined): void {
  out.line(`${p.app} → ${p.environment} (namespace ${p.namespace}): ${info.status}`);
  const rc = (r: { name: string; revision: number; replicas: number; available: number }) =>
    `${r.name} (revision ${r.revision}): ${r.replicas} replicas, ${r.available} available`;
  printFields(out, [
    ['phase', `${p.phase}${p.totalSteps > 0 ? `, step ${p.step} of ${p.totalSteps}` : ''}${p.paused && p.phase !== 'Paused' ? ' (pause requested)' : ''}`],
    ['image', p.image],
    ['desired', String(p.desired)],
    ['new', p.newRc && rc(p.newRc)],
    ...p.oldRcs.map((o): [string, string] => ['old', rc(o)]),
    ['waiting for', p.waitingFor && `${p.waitingFor.what} (since ${formatTime(new Date(p.waitingFor.since))})`],
    ['last error', p.lastError && `${p.lastError.type}${p.lastError.reason ? ` (${p.lastError.reason})` : ''}: ${p.lastError.message}`],
    ['result', p.result && `${p.result.outcome}: ${p.result.message}`],
    ['next', nextActions(p.nextActions, p)],
    ['requested by', p.requestedBy],
    ['source', p.source],
    ['started', formatTime(new Date(info.startTime))],
    ['ended', info.closeTime && formatTime(new Date(info.closeTime))],
    ['workflow', p.workflowId],
    ['ui', uiUrl],
  ]);
}

function printInfo(out: Output, info: DeployInfo, uiUrl: string | undefined): void {
  out.line(`${info.app} → ${info.environment} (namespace ${info.namespace}): ${info.status}`);
  printFields(out, [
    ['phase', info.phase],
    ['image', info.image],
    ['requested by', info.requestedBy],
    ['started', formatTime(new Date(info.startTime))],
    ['ended', info.closeTime && formatTime(new Date(info.closeTime))],
    ['workflow', info.workflowId],
    ['ui', uiUrl],
  ]);
}

function nextActions(actions: OperatorCommand[], p: DeployProgress): string | undefined {
  if (actions.length === 0) return undefined;
  return actions.map((a) => `deployctl ${a} ${p.app} --env ${p.environment}${p.namespace === 'default' ? '' : ` --namespace ${p.namespace}`}`).join('  |  ');
}

export const statusCommand: Command = { name: 'status', summary: 'show where the latest deploy of an app stands', usage, run };
