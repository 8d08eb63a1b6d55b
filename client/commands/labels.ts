// `deployctl labels --env E`: the RCs running in an environment grouped by the
// seed's label conventions (app, tier, role, language), the way monitoring groups
// metrics. Built on Temporal only: deployctl holds no cluster credentials.
import { invalidSpec } from '../../domain/errors.js';
import { isDnsLabel, isValidLabelKey } from '../../domain/labels.js';
import { validateEnvironmentName } from '../../domain/names.js';
import { noPositionals, outputFormat, parseCommand, required } from '../args.js';
import type { Command } from '../command.js';
import type { CliIo } from '../io.js';
import { DEFAULT_GROUP_KEYS, groupBy, latestSucceeded, runningRcs, type LabelGroup, type RunningRc } from '../label-inventory.js';
import { Output, formatTable, formatTime } from '../output.js';
import { readEachEnvironment, reportUnreadable, separateEnvironments } from '../every-environment.js';
import { withTemporal, type TemporalSession } from '../temporal.js';

const usage = `deployctl labels [--env E] [--namespace NS] [--app A] [--group-by KEYS]

Lists the RCs running in environment E with their labels, grouped by app,
tier, role and language (the seed's conventions), with RC and pod counts per
group. When each environment has a Temporal profile of its own, --env may be
left out: every environment is shown, and those the credentials cannot read
are named on stderr.

Where the data comes from: Temporal, not the cluster (deployctl has no cluster
credentials). For each app, the latest deploy that ended Succeeded (search
attributes DeployEnvironment=E, DeployPhase=Succeeded) names the RC serving it,
and that deploy's history holds the manifest it applied, with every pod label.
Replicas are as deployed; changes made outside deployflow do not show.

Options:
  -e, --env E              environment (required unless environments have profiles)
  -n, --namespace NS       only apps in this Kubernetes namespace
      --app A              only RCs whose app label is A
      --group-by KEYS      comma-separated label keys to group by
                           (default: ${DEFAULT_GROUP_KEYS.join(',')})
  -o, --output text|json   json: { environment, source, rcs, groups, skipped }
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('labels', argv, {
    env: { type: 'string', short: 'e' },
    namespace: { type: 'string', short: 'n' },
    app: { type: 'string' },
    'group-by': { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  noPositionals('labels', positionals);
  const everyEnvironment = values.env === undefined ? separateEnvironments(io) : [];
  const environments = everyEnvironment.length > 0 ? everyEnvironment : [validateEnvironmentName(required(values.env, '--env', 'labels'))];
  const namespace = values.namespace;
  if (namespace !== undefined && !isDnsLabel(namespace)) throw invalidSpec('--namespace', 'must be a Kubernetes namespace name (a DNS-1123 label)');
  const groupKeys = values['group-by'] === undefined ? [...DEFAULT_GROUP_KEYS] : values['group-by'].split(',').map((k) => k.trim()).filter(Boolean);
  const badKey = groupKeys.find((k) => !isValidLabelKey(k));
  if (badKey !== undefined || groupKeys.length === 0) throw invalidSpec('--group-by', 'must be a comma-separated list of label keys');

  const inventory = async (session: TemporalSession, environment: string) => {
    const deploys = await latestSucceeded(session.client, environment, namespace);
    const { rcs: all, skipped } = await runningRcs(session.client, deploys);
    const rcs = values.app === undefined ? all : all.filter((rc) => rc.labels.app === values.app);
    const groups = Object.fromEntries(groupKeys.map((key) => [key, groupBy(rcs, key)]));
    return { environment, ...(namespace !== undefined && { namespace }), source: 'temporal: latest Succeeded deploy per app', rcs, groups, skipped };
  };
  type Inventory = Awaited<ReturnType<typeof inventory>>;
  const show = (inv: Inventory) => {
    const { environment, rcs, groups, skipped } = inv;
    for (const s of skipped) out.note(`skipped ${s.workflowId}: ${s.why}`);
    if (rcs.length === 0) {
      out.line(`no succeeded deploys in ${environment}${namespace ? ` (namespace ${namespace})` : ''}${values.app ? ` for app ${values.app}` : ''}`);
      return;
    }
    printTable(out, rcs, groupKeys);
    out.line();
    const width = Math.max(...groupKeys.map((k) => k.length)) + 4;
    for (const key of groupKeys) out.line(`${`by ${key}:`.padEnd(width)} ${groups[key]!.map(formatGroup).join(', ')}`);
  };

  if (everyEnvironment.length === 0) {
    const environment = environments[0]!;
    return withTemporal(io, async (session) => {
      const inv = await inventory(session, environment);
      if (out.isJson) out.document(inv);
      else show(inv);
      return 0;
    }, environment);
  }
  const perEnvironment = await readEachEnvironment(io, everyEnvironment, inventory);
  reportUnreadable(perEnvironment, (text) => out.note(text));
  if (out.isJson) {
    out.document({ environments: perEnvironment.read.map((r) => r.value), unreadable: perEnvironment.unreadable });
    return 0;
  }
  for (const [i, { environment, value }] of perEnvironment.read.entries()) {
    if (i > 0) out.line();
    out.line(`== ${environment}`);
    show(value);
  }
  return 0;
}

function printTable(out: Output, rcs: RunningRc[], groupKeys: string[]): void {
  const shown = new Set([...groupKeys, 'name']);
  const extra = (rc: RunningRc) =>
    Object.entries(rc.labels)
      .filter(([k]) => !shown.has(k))
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
  const anyExtra = rcs.some((rc) => extra(rc) !== '');
  const headers = [...groupKeys, 'name', 'rc', 'replicas', 'namespace', 'deployed', ...(anyExtra ? ['other labels'] : [])];
  const rows = rcs.map((rc) => [
    ...groupKeys.map((k) => rc.labels[k] || '-'),
    rc.labels.name ?? '-',
    rc.rc,
    String(rc.replicas),
    rc.namespace,
    formatTime(rc.deployedAt ? new Date(rc.deployedAt) : undefined),
    ...(anyExtra ? [extra(rc) || '-'] : []),
  ]);
  out.line(formatTable(headers, rows));
}

function formatGroup(g: LabelGroup): string {
  return `${g.value} (${g.rcs} RC${g.rcs === 1 ? '' : 's'}, ${g.pods} pod${g.pods === 1 ? '' : 's'})`;
}

export const labelsCommand: Command = {
  name: 'labels',
  summary: 'running RCs of an environment grouped by app/tier/role/language (from deploy history)',
  usage,
  run,
};
