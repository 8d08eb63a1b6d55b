// `deployctl setup`: registers the search attributes the deploy workflow
// upserts (DeployEnvironment, DeployApp, ...), so Temporal accepts them and
// "all stuck deploys in production" is one list query. Idempotent: only
// missing attributes are added. That is all the server holds for the UI: the
// Temporal UI keeps list columns and saved views in each browser, so setup
// prints the link that saves the stuck-deploys view and the columns to add.
import type { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES, validateEnvironmentName } from '../../domain/names.js';
import { RELEASE_PROFILE, RELEASE_SEARCH_ATTRIBUTES } from '../../domain/release-plan.js';
import { ensureNexusEndpoints } from '../nexus-endpoints.js';
import { loadConfig } from '../temporal.js';
import { profileForEnvironment } from '../profiles.js';
import { noPositionals, outputFormat, parseCommand } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { stuckDeploysViewUrl, STUCK_VIEW_NAME, UI_LIST_COLUMNS } from '../links.js';
import { Output } from '../output.js';
import { withTemporal } from '../temporal.js';

type IndexedValueType = temporal.api.enums.v1.IndexedValueType;
// INDEXED_VALUE_TYPE_KEYWORD. Only the type is imported: @temporalio/proto is
// a dependency of the SDK, not of this project, and CJS named exports do not
// load from ESM.
const KEYWORD: IndexedValueType = 2;

const usage = `deployctl setup [--env E | --release] [--nexus-endpoints E1,E2]

Registers deployflow's search attributes (${Object.values(SEARCH_ATTRIBUTES).join(', ')},
all Keyword) on the Temporal namespace (TEMPORAL_NAMESPACE, default "default"),
or with --env on the namespace of environment E's Temporal profile, when it has one.
Adds only the missing ones; running it again changes nothing. Needs admin rights
on the namespace when Temporal checks authorization. With DEPLOYFLOW_TEMPORAL_UI
set, prints the Temporal UI link that saves a "${STUCK_VIEW_NAME}" view in the
browser that opens it, and the columns to add.

With --release: the release search attributes (${Object.values(RELEASE_SEARCH_ATTRIBUTES).join(', ')})
on the release namespace (the Temporal profile "${RELEASE_PROFILE}", when there is one).
With --nexus-endpoints E1,E2 (or E1=NS1,E2=NS2): also the Nexus endpoint deploy-E of each
environment, targeting E's namespace (NS, else its profile's) and task queue deploy-E, where E's worker
handles releases' deploys; needs cluster admin (endpoints are cluster-wide).

Options:
  -e, --env E              the environment whose namespace to set up
      --release            set up the release namespace instead
      --nexus-endpoints L  create (or repoint) the endpoints of these environments
  -o, --output text|json   json: { namespace, added, existing, conflicting, ui: { stuckView, columns } }
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('setup', argv, {
    env: { type: 'string', short: 'e' },
    release: { type: 'boolean' },
    'nexus-endpoints': { type: 'string' },
  });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  noPositionals('setup', positionals);
  const environment = values.env === undefined ? undefined : validateEnvironmentName(values.env);
  // E=NS names the namespace; a bare E uses the namespace of E's own profile (the shared one without).
  const endpointTargets = (values['nexus-endpoints'] ?? '').split(',').map((e) => e.trim()).filter(Boolean).map((entry) => {
    const [e = '', ns] = entry.split('=');
    const environment = validateEnvironmentName(e);
    return { environment, namespace: ns || (loadConfig(io.env, profileForEnvironment(io.env, environment)).namespace ?? 'default') };
  });

  return withTemporal(io, async ({ connection, namespace }) => {
    const wanted: string[] = Object.values(values.release ? RELEASE_SEARCH_ATTRIBUTES : SEARCH_ATTRIBUTES);
    const { customAttributes } = await connection.operatorService.listSearchAttributes({ namespace });
    const registered = customAttributes ?? {};
    const existing = wanted.filter((name) => registered[name] === KEYWORD);
    // Same name, another type: deploys would fail to upsert it; a person must sort that out.
    const conflicting = wanted.filter((name) => name in registered && registered[name] !== KEYWORD);
    const added = wanted.filter((name) => !(name in registered));
    if (added.length > 0) {
      await connection.operatorService.addSearchAttributes({
        namespace,
        searchAttributes: Object.fromEntries(added.map((name) => [name, KEYWORD])),
      });
    }

    const endpoints = endpointTargets.length > 0 ? await ensureNexusEndpoints(connection, endpointTargets) : [];

    const stuckView = stuckDeploysViewUrl(io.env, namespace) ?? null;
    if (out.isJson) out.document({ namespace, added, existing, conflicting, ui: { stuckView, columns: UI_LIST_COLUMNS }, ...(endpoints.length > 0 && { nexusEndpoints: endpoints }) });
    for (const e of endpoints) out.line(`Nexus endpoint ${e.name} → namespace ${e.namespace}, task queue ${e.taskQueue}: ${e.state}`);
    for (const name of added) out.line(`added ${name} (Keyword) to namespace ${namespace}`);
    if (added.length === 0 && conflicting.length === 0) out.line(`all ${wanted.length} search attributes already registered in namespace ${namespace}`);
    if (stuckView) out.line(`Temporal UI: open once to save the "${STUCK_VIEW_NAME}" view: ${stuckView}`);
    out.line(`Temporal UI columns (kept per browser): Configure Columns above the workflow list, add ${UI_LIST_COLUMNS.join(', ')}`);
    for (const name of conflicting) out.note(`${name} exists in namespace ${namespace} with another type; deployflow needs it as Keyword`);
    return conflicting.length > 0 ? EXIT.failed : EXIT.ok;
  }, values.release ? RELEASE_PROFILE : environment);
}

export const setupCommand: Command = { name: 'setup', summary: 'register the search attributes on the Temporal namespace (idempotent)', usage, run };
