// deployctl paths that need no server: argument parsing, validate, render,
// and the rule that an invalid deploy fails (exit 2) before contacting Temporal.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { ReplicationControllerManifest } from '../../domain/render.js';
import { COMMANDS } from '../../client/main.js';
import { runCli } from '../helpers/cli.js';

const example = fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployctl-unit-'));
const goodFile = path.join(dir, 'good.yaml');
const badFile = path.join(dir, 'bad.yaml');
fs.writeFileSync(goodFile, example);
fs.writeFileSync(badFile, example.replace('replicas: 3', 'replicas: -1').replace('containerPort: 8080', 'containerPort: 70000') + 'replica: 2\n');

/** Nothing listens here: a command that tried to connect would fail with exit 4, not 2. */
const NO_TEMPORAL = { TEMPORAL_ADDRESS: '127.0.0.1:1', DEPLOYFLOW_CONNECT_TIMEOUT: '1' };

describe('deployctl validate', () => {
  test('a good spec: ok FILE, exit 0', async () => {
    const r = await runCli(['validate', '-f', goodFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `ok ${goodFile}\n`);
  });

  test('a bad spec: every problem named by field, exit 2', async () => {
    const r = await runCli(['validate', goodFile, badFile]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, new RegExp(`ok ${goodFile}`));
    assert.match(r.stdout, new RegExp(`invalid ${badFile}`));
    assert.match(r.stdout, /replicas: must be >= 0/);
    assert.match(r.stdout, /containers\[0\]\.ports\[0\]\.containerPort: must be 1-65535/);
    assert.match(r.stdout, /replica: unknown field \(did you mean "replicas"\?\)/);
  });

  test('json: one document with each file, ok and issues', async () => {
    const r = await runCli(['validate', '-f', goodFile, '-f', badFile, '-f', path.join(dir, 'missing.yaml'), '--output', 'json']);
    assert.equal(r.code, 2);
    const reports = r.json<Array<{ file: string; ok: boolean; issues: Array<{ field: string; rule: string }> }>>();
    assert.deepEqual(reports.map((x) => x.ok), [true, false, false]);
    assert.deepEqual(reports[0]!.issues, []);
    assert.ok(reports[1]!.issues.some((i) => i.field === 'replicas'));
    assert.equal(reports[2]!.issues[0]!.rule, 'no such file');
  });

  test('YAML syntax errors name the line', async () => {
    const broken = path.join(dir, 'broken.yaml');
    fs.writeFileSync(broken, 'name: [unclosed\n');
    const r = await runCli(['validate', broken]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /is not valid YAML \(line \d+, column \d+\)/);
  });

  test('no files at all is a usage error', async () => {
    assert.equal((await runCli(['validate'])).code, 2);
  });
});

describe('deployctl render', () => {
  test('prints the RC: hashed name, selector, the environment secret mounted', async () => {
    const r = await runCli(['render', '-f', goodFile, '--env', 'staging', '--image', 'registry.example/awesome-api:1.4.2', '--requested-by', 'alice']);
    assert.equal(r.code, 0, r.stderr);
    const rc = yaml.load(r.stdout) as ReplicationControllerManifest;
    assert.equal(rc.kind, 'ReplicationController');
    const hash = rc.metadata.name.replace(/^awesome-api-/, '');
    assert.match(hash, /^[0-9a-f]{8}$/);
    assert.deepEqual(rc.spec.selector, { name: 'awesome-api', deployment: hash });
    assert.equal(rc.spec.replicas, 3);
    assert.equal(rc.metadata.annotations['deployflow.io/revision'], '1');
    assert.equal(rc.metadata.annotations['deployflow.io/requested-by'], 'alice');
    assert.equal(rc.metadata.annotations['deployflow.io/workflow-id'], 'deploy/staging/default/awesome-api');
    const pod = rc.spec.template.spec;
    assert.ok(pod.volumes?.some((v) => v.name === 'environment' && (v as { secret?: { secretName?: string } }).secret?.secretName === 'environment'));
    const mount = pod.containers[0]!.volumeMounts?.find((m) => m.name === 'environment');
    assert.equal(mount?.mountPath, '/etc/secrets');
    assert.equal(mount?.readOnly, true);
    assert.equal(pod.containers[0]!.image, 'registry.example/awesome-api:1.4.2');
  });

  test('--replicas overrides, the requester defaults to $USER, a bare :tag uses the spec repository', async () => {
    const r = await runCli(['render', '-f', goodFile, '--env', 'dev', '--image', ':2.0.0', '--replicas', '5', '-o', 'json'], { USER: 'bob' });
    assert.equal(r.code, 0, r.stderr);
    const rc = r.json<ReplicationControllerManifest>();
    assert.equal(rc.spec.replicas, 5);
    assert.equal(rc.metadata.annotations['deployflow.io/requested-by'], 'bob');
    assert.equal(rc.spec.template.spec.containers[0]!.image, 'registry.example/awesome-api:2.0.0');
  });

  test('the same input renders the same name; another image another name', async () => {
    const args = ['render', '-f', goodFile, '--env', 'dev', '-o', 'json', '--image'];
    const name = async (image: string) => (await runCli([...args, image])).json<ReplicationControllerManifest>().metadata.name;
    assert.equal(await name(':1.0.0'), await name(':1.0.0'));
    assert.notEqual(await name(':1.0.0'), await name(':1.0.1'));
  });

  test('an invalid spec or environment: exit 2 with the field', async () => {
    const bad = await runCli(['render', '-f', badFile, '--env', 'dev', '--image', ':1']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /replicas: must be >= 0/);
    const env = await runCli(['render', '-f', goodFile, '--env', 'Prod_1', '--image', ':1']);
    assert.equal(env.code, 2);
    assert.match(env.stderr, /environment: must be a DNS-1123 label/);
  });
});

describe('deployctl deploy without a server', () => {
  test('an invalid spec exits 2, naming every field, before contacting Temporal', async () => {
    const started = Date.now();
    const r = await runCli(['deploy', '-f', badFile, '--env', 'dev', '--image', 'registry.example/awesome-api:1.0.0'], NO_TEMPORAL);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^replicas: must be >= 0$/m);
    assert.match(r.stderr, /^containers\[0\]\.ports\[0\]\.containerPort: must be 1-65535$/m);
    assert.doesNotMatch(r.stderr, /cannot reach Temporal/);
    assert.ok(Date.now() - started < 900, 'no connection attempt');
  });

  test('with --output json the issues are one JSON document too', async () => {
    const r = await runCli(['deploy', '-f', badFile, '--env', 'dev', '--image', ':1', '-o', 'json'], NO_TEMPORAL);
    assert.equal(r.code, 2);
    const doc = r.json<{ error: { exitCode: number; issues: Array<{ field: string }> } }>();
    assert.equal(doc.error.exitCode, 2);
    assert.ok(doc.error.issues.some((i) => i.field === 'replicas'));
  });

  test('bad flags values exit 2: environment name, replicas, image, strategy limits', async () => {
    const base = ['deploy', '-f', goodFile, '--image', ':1.0.0'];
    for (const [args, message] of [
      [[...base, '--env', 'no/slash'], /environment: must be a DNS-1123 label/],
      [[...base, '--env', 'dev', '--replicas', 'three'], /--replicas must be an integer >= 0/],
      [['deploy', '-f', goodFile, '--env', 'dev', '--image', 'UPPER CASE'], /image/],
      [[...base, '--env', 'dev', '--wait', '--no-wait'], /contradict/],
      [['deploy', '-f', path.join(dir, 'missing.yaml'), '--env', 'dev', '--image', ':1'], /no such file/],
    ] as const) {
      const r = await runCli([...args], NO_TEMPORAL);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  test('an unreachable Temporal is exit 4, naming the address', async () => {
    const r = await runCli(['deploy', '-f', goodFile, '--env', 'dev', '--image', ':1.0.0'], NO_TEMPORAL);
    assert.equal(r.code, 4);
    assert.match(r.stderr, /cannot reach Temporal at 127\.0\.0\.1:1/);
  });
});

describe('deployctl arguments', () => {
  test('no arguments, help and --help print every command including worker', async () => {
    for (const argv of [[], ['help'], ['--help'], ['-h']]) {
      const r = await runCli(argv);
      assert.equal(r.code, 0);
      for (const c of [...COMMANDS.map((x) => x.name), 'worker']) assert.match(r.stdout, new RegExp(`^  ${c} `, 'm'), c);
    }
  });

  test('--help for every command exits 0 with its usage', async () => {
    for (const { name } of COMMANDS) {
      for (const argv of [[name, '--help'], [name, '-h'], ['help', name]]) {
        const r = await runCli(argv);
        assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(`^deployctl ${name}`), argv.join(' '));
      }
    }
  });

  test('unknown flags exit 2 for every command', async () => {
    for (const { name } of COMMANDS) {
      const r = await runCli([name, '--no-such-flag'], NO_TEMPORAL);
      assert.equal(r.code, 2, name);
      assert.match(r.stderr, /Unknown option '--no-such-flag'/, name);
    }
  });

  test('missing required flags and arguments exit 2 with what is missing', async () => {
    for (const [argv, message] of [
      [['deploy', '--env', 'dev', '--image', ':1'], /-f\/--file is required/],
      [['deploy', '-f', goodFile, '--image', ':1'], /--env is required/],
      [['deploy', '-f', goodFile, '--env', 'dev'], /--image is required/],
      [['render', '-f', goodFile, '--env', 'dev'], /--image is required/],
      [['status', '--env', 'dev'], /the app NAME is required/],
      [['status', 'awesome-api'], /--env is required/],
      [['watch', 'a', 'b', '--env', 'dev'], /unexpected argument "b"/],
      [['retry', 'awesome-api'], /--env is required/],
      [['history', '--env', 'dev'], /the app NAME is required/],
      [['deploy', '--file'], /argument missing/],
    ] as const) {
      const r = await runCli([...argv], NO_TEMPORAL);
      assert.equal(r.code, 2, argv.join(' '));
      assert.match(r.stderr, message, argv.join(' '));
    }
  });

  test('invalid values exit 2 before connecting: output format, phase, quotes, revisions', async () => {
    for (const [argv, message] of [
      [['list', '--output', 'yaml'], /--output must be text or json/],
      [['list', '--phase', 'stuck'], /did you mean Stuck\?/],
      [['list', '--app', "x' OR '1'='1"], /--app must not contain quotes/],
      [['list', '--limit', '0'], /--limit must be an integer >= 1/],
      [['status', 'Bad_Name', '--env', 'dev'], /NAME: must be an app name/],
      [['rollback', 'awesome-api', '--env', 'dev', '--to-revision', '0'], /--to-revision must be an integer >= 1/],
      [['rollback', 'awesome-api', '--env', 'dev', '--no-wait'], /--no-wait only goes with --to-revision/],
      [['deploy', '-f', goodFile, '--env', 'dev', '--image', ':1', '--queue', 'lifo'], /--queue must be one of reject, fifo, latest-wins/],
      [['deploy', '-f', goodFile, '--env', 'dev', '--image', ':1', '--queue', 'fifo', '--supersede'], /--supersede goes with --queue reject/],
      [['queue', 'awesome-api'], /--env is required/],
      [['queue', 'Bad_Name', '--env', 'dev'], /NAME: must be an app name/],
    ] as const) {
      const r = await runCli([...argv], NO_TEMPORAL);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, argv.join(' '));
    }
  });

  test('an unknown command exits 2 and suggests the nearest one', async () => {
    const r = await runCli(['deplyo']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /did you mean deploy\?/);
  });
});
