// `deployctl setup`: registers the search attributes the deploy workflow
// upserts (DeployEnvironment, DeployApp, ...), so Temporal accepts them and
// "all stuck deploys in production" is one list query. Idempotent: only
// missing attributes are added.
import type { temporal } from '@temporalio/proto';
import { SEARCH_ATTRIBUTES, validateEnvironmentName } from '../../domain/names.js';
import { noPositionals, outputFormat, parseCommand } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';
import { withTemporal } from '../temporal.js';

type IndexedValueType = temporal.api.enums.v1.IndexedValueType;
// INDEXED_VALUE_TYPE_KEYWORD. Only the type is imported: @temporalio/proto is
// a dependency of the SDK, not of this project, and CJS named exports do not
// load from ESM.
const KEYWORD: IndexedValueType = 2;

const usage = `deployctl setup [--env E]

Registers deployflow's search attributes (${Object.values(SEARCH_ATTRIBUTES).join(', ')},
all Keyword) on the Temporal namespace (TEMPORAL_NAMESPACE, default "default"),
or with --env on the namespace of environment E's Temporal profile, when it has one.
Adds only the missing ones; running it again changes nothing. Needs admin rights
on the namespace when Temporal checks authorization.

Options:
  -e, --env E              the environment whose namespace to set up
  -o, --output text|json   json: { namespace, added, existing, conflicting }
  -h, --help`;

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('setup', argv, { env: { type: 'string', short: 'e' } });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  noPositionals('setup', positionals);
  const environment = values.env === undefined ? undefined : validateEnvironmentName(values.env);

  return withTemporal(io, async ({ connection, namespace }) => {
    const wanted: string[] = Object.values(SEARCH_ATTRIBUTES);
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

    if (out.isJson) out.document({ namespace, added, existing, conflicting });
    for (const name of added) out.line(`added ${name} (Keyword) to namespace ${namespace}`);
    if (added.length === 0 && conflicting.length === 0) out.line(`all ${wanted.length} search attributes already registered in namespace ${namespace}`);
    for (const name of conflicting) out.note(`${name} exists in namespace ${namespace} with another type; deployflow needs it as Keyword`);
    return conflicting.length > 0 ? EXIT.failed : EXIT.ok;
  }, environment);
}

export const setupCommand: Command = { name: 'setup', summary: 'register the search attributes on the Temporal namespace (idempotent)', usage, run };
