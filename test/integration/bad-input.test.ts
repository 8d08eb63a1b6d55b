// Invariant I7 on the real stack, over the corpus in test/fixtures/bad-specs/:
// every bad input makes `deployctl deploy` exit 2 with a message naming the
// field, starts no workflow, and the apiserver logs zero deploy writes. A worker
// for the environment runs throughout, so a case that slipped past validation
// would really deploy (and be caught by the audit log), as the control shows.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { WorkflowNotFoundError } from '@temporalio/client';
import { workflowIdFor } from '../../domain/names.js';
import { MAX_SPEC_BYTES } from '../../client/spec-file.js';
import { repoRoot } from '../../stack/layout.js';
import { AuditLog } from '../helpers/audit.js';
import { runCli } from '../helpers/cli.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';

const CORPUS = path.join(repoRoot, 'test', 'fixtures', 'bad-specs');
const IMAGE = ':1.0.0';

/** One corpus file: its YAML and the header comments that say what deploying it must do. */
interface BadCase {
  file: string;
  text: string;
  what: string;
  expect: RegExp;
  exit: number;
  /** --env, --image and extra flags when the case is about them rather than the file. */
  env?: string;
  image?: string;
  args: string[];
}

function header(text: string, key: string): string | undefined {
  return new RegExp(`^# ${key}: ?(.*)$`, 'm').exec(text)?.[1];
}

function loadCorpus(): BadCase[] {
  return fs
    .readdirSync(CORPUS)
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((file) => {
      const text = fs.readFileSync(path.join(CORPUS, file), 'utf8');
      const expect = header(text, 'expect');
      const exit = header(text, 'exit');
      if (!expect || !exit) throw new Error(`${file}: needs "# expect: <regexp>" and "# exit: <code>" header comments`);
      return {
        file,
        text,
        what: header(text, 'case') ?? file,
        expect: new RegExp(expect, 'm'),
        exit: Number(exit),
        env: header(text, 'env'),
        image: header(text, 'image'),
        args: header(text, 'args')?.split(' ').filter(Boolean) ?? [],
      };
    });
}

/** Where a deploy of this text would go if it got through: its name and namespace, best effort. */
function targetOf(text: string, fallbackNamespace: string): { name: string; namespace: string } {
  let raw: unknown;
  try {
    raw = yaml.load(text, { schema: yaml.CORE_SCHEMA });
  } catch {
    raw = undefined;
  }
  const m = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  return {
    name: typeof m.name === 'string' ? m.name : 'awesome-api',
    namespace: typeof m.namespace === 'string' ? m.namespace : fallbackNamespace,
  };
}

/** The spec of examples/ padded with environment variables to just over the size limit. */
function oversizedSpec(): string {
  const base = fs.readFileSync(path.join(repoRoot, 'examples', 'awesome-api.yaml'), 'utf8');
  const lines = [base.replace('    env: { LOG_LEVEL: info }\n', '    env:\n')];
  let size = Buffer.byteLength(lines[0]!);
  for (let i = 0; size <= MAX_SPEC_BYTES; i++) {
    const line = `      VAR_${i}: "${'x'.repeat(100)}"\n`;
    lines.splice(1, 0, line);
    size += line.length;
  }
  return lines.join('');
}

describe('bad input on the local stack: exit 2, the field named, nothing started, zero API writes (I7)', () => {
  const corpus = loadCorpus();
  let h: DeployHarness;
  let env: Record<string, string>;
  let dir: string;

  before(async () => {
    h = await deployHarness('bad-input');
    env = { TEMPORAL_ADDRESS: h.info.temporalAddress, TEMPORAL_NAMESPACE: 'default', USER: 'bad-input-test' };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-bad-input-'));
  });
  after(async () => {
    await h?.close();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  async function assertNotStarted(workflowId: string): Promise<void> {
    await assert.rejects(h.client.workflow.getHandle(workflowId).describe(), WorkflowNotFoundError, `${workflowId} was started`);
  }

  /** Runs `deployctl deploy` on `text` aimed at the harness (its environment, worker and namespace). */
  async function deploy(c: Pick<BadCase, 'file' | 'text' | 'env' | 'image' | 'args'>) {
    // The corpus says `namespace: default`; the harness's namespace is where its worker would write.
    const text = c.text.replace(/^namespace: default$/m, `namespace: ${h.namespace}`);
    const file = path.join(dir, c.file);
    fs.writeFileSync(file, text);
    const environment = c.env ?? h.environment;
    const audit = new AuditLog(h.info).mark();
    const run = await runCli(['deploy', '-f', file, '--env', environment, '--image', c.image ?? IMAGE, ...c.args], env);
    const { name, namespace } = targetOf(text, h.namespace);
    return { run, writes: audit.deployWritesSince(), workflowId: workflowIdFor(environment, namespace, name) };
  }

  test(`the corpus holds at least 30 cases, each with its expectation`, () => {
    assert.ok(corpus.length >= 30, `only ${corpus.length} cases in ${CORPUS}`);
  });

  for (const c of corpus) {
    test(`${c.file}: ${c.what}`, async () => {
      const { run, writes, workflowId } = await deploy(c);
      assert.equal(run.code, c.exit, `exit code\n${run.stderr}${run.stdout}`);
      assert.match(run.stderr, c.expect);
      assert.deepEqual(writes, [], 'the apiserver logged deploy writes');
      await assertNotStarted(workflowId);
    });
  }

  test('an input over 256 KiB, through bin/deployctl.js', async () => {
    const file = path.join(dir, 'oversized.yaml');
    fs.writeFileSync(file, oversizedSpec().replace(/^namespace: default$/m, `namespace: ${h.namespace}`));
    assert.ok(fs.statSync(file).size > MAX_SPEC_BYTES);
    const audit = new AuditLog(h.info).mark();
    const cli = spawnSync(
      process.execPath,
      [path.join(repoRoot, 'bin', 'deployctl.js'), 'deploy', '-f', file, '--env', h.environment, '--image', IMAGE],
      { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 },
    );
    assert.equal(cli.status, 2, cli.stderr + cli.stdout);
    assert.match(cli.stderr, /oversized\.yaml: must be at most 256 KiB/);
    assert.deepEqual(audit.deployWritesSince(), []);
    await assertNotStarted(workflowIdFor(h.environment, h.namespace, 'awesome-api'));
  });

  // Last: it starts the one workflow of this environment.
  test('control: the same spec, valid, deploys; the checks above see its workflow and writes, and only it reached the task queue', async () => {
    const valid = corpus.find((c) => c.file.includes('replicas-negative'));
    assert.ok(valid, 'the corpus lost its replicas-negative case');
    const { run, writes, workflowId } = await deploy({ ...valid, file: 'valid.yaml', text: valid.text.replace('replicas: -1', 'replicas: 2') });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    const kinds = new Set(writes.filter((w) => w.objectRef?.namespace === h.namespace).map((w) => `${w.verb} ${w.objectRef?.resource}`));
    assert.ok(kinds.has('create secrets') && kinds.has('create replicationcontrollers'), [...kinds].join(', '));
    assert.equal((await h.client.workflow.getHandle(workflowId).describe()).status.name, 'COMPLETED');

    // The environment's task queue saw this one workflow, and none of the bad cases' (visibility lags a little).
    const onQueue = async () => {
      const ids: string[] = [];
      for await (const wf of h.client.workflow.list({ query: `TaskQueue = "deploy-${h.environment}"` })) ids.push(wf.workflowId);
      return ids;
    };
    let started = await onQueue();
    for (const deadline = Date.now() + 10_000; started.length === 0 && Date.now() < deadline; started = await onQueue()) {
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.deepEqual(started, [workflowId]);
  });
});
