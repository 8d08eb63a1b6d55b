// `deployctl validate`: checks app specs the way deploy does, all of them,
// reporting every problem of every file in one run, against the label policy
// a deploy would enforce.
import { InvalidSpecError, describeIssue, type SpecIssue } from '../../domain/errors.js';
import { checkLabelPolicy, describeLabelPolicy, type LabelPolicy } from '../../domain/label-policy.js';
import { LABEL_POLICY_ENV, LABEL_POLICY_HELP, LABEL_POLICY_OPTIONS, resolveLabelPolicy } from '../label-policy-file.js';
import { WORKER_POLICY_HELP, WORKER_POLICY_OPTIONS, resolveWorkerPolicy } from '../worker-policy-file.js';
import { renderPodTemplate } from '../../domain/render.js';
import type { AppSpec } from '../../domain/spec.js';
import { checkWorkerPolicy, type WorkerPolicy } from '../../domain/worker-policy.js';
import { loadSpecFile } from '../spec-file.js';
import { outputFormat, parseCommand, UsageError } from '../args.js';
import type { Command } from '../command.js';
import { EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';

const usage = `deployctl validate -f spec.yaml [-f other.yaml ...] [--label-policy FILE]
deployctl validate spec.yaml [other.yaml ...]
deployctl validate --label-policy FILE

Validates app specs without contacting anything. Prints "ok FILE" or the
problems of FILE, one "field: rule" per line. Exit 2 if any file is invalid.
Specs are also checked against the label policy (--label-policy, else
$${LABEL_POLICY_ENV}; with a policy and no specs, checks the policy file itself)
and against the worker's policy (--policy), as the worker will check them.

Options:
  -f, --file FILE          a spec to check (repeatable; plain arguments work too)
${LABEL_POLICY_HELP}
${WORKER_POLICY_HELP}
  -o, --output text|json   json: [{ file, ok, issues }]
  -h, --help`;

interface FileReport {
  file: string;
  ok: boolean;
  issues: SpecIssue[];
}

async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('validate', argv, {
    file: { type: 'string', short: 'f', multiple: true },
    ...LABEL_POLICY_OPTIONS,
    ...WORKER_POLICY_OPTIONS,
  });
  if (values.help) {
    io.stdout.write(usage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  const files = [...(values.file ?? []), ...positionals];
  if (files.length === 0 && !values['label-policy']) {
    throw new UsageError('deployctl validate: name at least one spec file (see deployctl validate --help)');
  }
  // A broken policy file is reported (exit 2) before any spec: every verdict depends on it.
  const { policy, file: policyFile } = resolveLabelPolicy(values['label-policy'], io.env);
  if (files.length === 0) {
    if (out.isJson) out.document([{ file: policyFile, ok: true, issues: [], policy }]);
    out.line(`ok label policy ${policyFile}`);
    for (const line of describeLabelPolicy(policy)) out.line(`  ${line}`);
    return EXIT.ok;
  }

  const { policy: workerPolicy } = resolveWorkerPolicy(values.policy, io.env);
  const reports = files.map((file) => check(file, policy, workerPolicy));
  if (out.isJson) out.document(reports);
  for (const r of reports) {
    if (r.ok) {
      out.line(`ok ${r.file}`);
      continue;
    }
    out.line(`invalid ${r.file}`);
    for (const issue of r.issues) out.line(`  ${describeIssue(issue)}`);
  }
  return reports.every((r) => r.ok) ? EXIT.ok : EXIT.invalidInput;
}

function check(file: string, policy: LabelPolicy, workerPolicy: WorkerPolicy): FileReport {
  try {
    const spec = loadSpecFile(file);
    const issues = [...checkLabelPolicy(spec, policy), ...workerPolicyIssues(spec, workerPolicy)];
    return { file, ok: issues.length === 0, issues };
  } catch (err) {
    if (err instanceof InvalidSpecError) return { file, ok: false, issues: err.issues };
    throw err;
  }
}

/**
 * What the worker's policy says of the spec alone. No image is deployed here, so
 * each container's repository stands with a placeholder tag, and whether a
 * digest is required is left to deploy and render.
 */
function workerPolicyIssues(spec: AppSpec, workerPolicy: WorkerPolicy): SpecIssue[] {
  const { template } = renderPodTemplate(spec, ':validate');
  const subject = { namespace: spec.namespace, app: spec.name, perNode: spec.perNode, replicas: spec.replicas, template };
  return checkWorkerPolicy(subject, workerPolicy).filter((i) => i.policy !== 'images.requireDigest');
}

export const validateCommand: Command = { name: 'validate', summary: 'check app specs without deploying', usage, run };
