// `deployctl validate`: checks app specs the way deploy does, all of them,
// reporting every problem of every file in one run.
import { InvalidSpecError, type SpecIssue } from '../../domain/errors.js';
import { loadSpecFile } from '../spec-file.js';
import { outputFormat, parseCommand, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';

const usage = `deployctl validate -f spec.yaml [-f other.yaml ...]
deployctl validate spec.yaml [other.yaml ...]

Validates app specs without contacting anything. Prints "ok FILE" or the
problems of FILE, one "field: rule" per line. Exit 2 if any file is invalid.

Options:
  -f, --file FILE          a spec to check (repeatable; plain arguments work too)
  -o, --output text|json   json: [{ file, ok, issues }]
  -h, --help`;

interface FileReport {
  file: string;
  ok: boolean;
  issues: SpecIssue[];
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('validate', argv, { file: { type: 'string', short: 'f', multiple: true } });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  const files = [...(values.file ?? []), ...positionals];
  if (files.length === 0) throw new UsageError('deployctl validate: name at least one spec file (see deployctl validate --help)');

  const reports = files.map(check);
  if (out.isJson) out.document(reports);
  for (const r of reports) {
    if (r.ok) {
      out.line(`ok ${r.file}`);
      continue;
    }
    out.line(`invalid ${r.file}`);
    for (const issue of r.issues) out.line(`  ${issue.field}: ${issue.rule}`);
  }
  return reports.every((r) => r.ok) ? EXIT.ok : EXIT.invalidInput;
}

function check(file: string): FileReport {
  try {
    loadSpecFile(file);
    return { file, ok: true, issues: [] };
  } catch (err) {
    if (err instanceof InvalidSpecError) return { file, ok: false, issues: err.issues };
    throw err;
  }
}

export const validateCommand: Command = { name: 'validate', summary: 'check app specs without deploying', usage, run };
