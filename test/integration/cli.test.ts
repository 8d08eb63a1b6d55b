// deployctl on the real stack: deploy with --wait and --no-wait, one deploy at
// a time per app (exit 3) and --supersede, a release that rolls back (exit 1),
// operator updates, watch, status/history/list, setup, redeploying a kept revision.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { AppSpec } from '../../domain/spec.js';
import type { DeployProgress, DeployResult } from '../../workflows/messages.js';
import { waitForResult, type DeployHandle } from '../../client/api.js';
import type { DeployInfo } from '../../client/deploy-info.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';
import { listRcs } from '../helpers/cluster.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const IMAGE = 'registry.example/awesome-api';
const UI = 'http://temporal-ui.test';

describe('deployctl on the local stack', () => {
  let h: DeployHarness;
  let env: Record<string, string | undefined>;
  let dir: string;
  /** Flags naming this test's app: its environment and namespace are unique to the harness. */
  let where: string[];

  before(async () => {
    h = await deployHarness('cli');
    env = { ...process.env, TEMPORAL_ADDRESS: h.info.temporalAddress, TEMPORAL_NAMESPACE: 'default', DEPLOYFLOW_TEMPORAL_UI: UI, USER: 'cli-test' };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployctl-it-'));
    where = ['--env', h.environment, '--namespace', h.namespace];
  });
  after(async () => {
    await h?.close();
  });

  const cli = (...argv: string[]): Promise<CliRun> => runCli(argv, env);

  function specFile(name: string, spec: AppSpec): string {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, yaml.dump(spec));
    return file;
  }

  async function statusOf(): Promise<DeployProgress & { status: string }> {
    const r = await cli('status', 'awesome-api', ...where, '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    return r.json();
  }

  async function until(what: string, check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  test('setup registers the search attributes and can run twice', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await cli('setup', '-o', 'json');
      assert.equal(r.code, 0, r.stderr);
      const { existing, added, conflicting, ui } = r.json<{ existing: string[]; added: string[]; conflicting: string[]; ui: { stuckView: string; columns: string[] } }>();
      assert.deepEqual(conflicting, []);
      assert.equal(existing.length + added.length, 5);
      assert.equal(ui.stuckView, `${UI}/namespaces/default/workflows?query=${encodeURIComponent('DeployPhase="Stuck"')}&savedQuery=Stuck%20deploys`);
      assert.deepEqual(ui.columns, ['DeployPhase', 'DeployEnvironment', 'DeployApp']);
    }
  });

  test('deploy --wait --output json: exit 0, one JSON document with outcome Succeeded and the UI link', async () => {
    const file = specFile('v1', h.spec());
    const r = await cli('deploy', '-f', file, '--env', h.environment, '--image', `${IMAGE}:1.0.0`, '--output', 'json');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = r.json<DeployResult & { uiUrl: string }>();
    assert.equal(result.outcome, 'Succeeded', result.message);
    assert.equal(result.workflowId, `deploy/${h.environment}/${h.namespace}/awesome-api`);
    assert.equal(result.uiUrl, `${UI}/namespaces/default/workflows/${encodeURIComponent(result.workflowId)}`);
  });

  test('a second deploy while one runs exits 3; --supersede rolls the first back and goes next', async () => {
    const slow = specFile('slow', h.spec({ strategy: { minReadySeconds: 3 } }));
    const deploy = (image: string, ...extra: string[]) => cli('deploy', '-f', slow, '--env', h.environment, '--image', image, ...extra);

    const first = await deploy(`${IMAGE}:2.0.0`, '--no-wait', '-o', 'json');
    assert.equal(first.code, 0, first.stderr);
    const { workflowId, runId } = first.json<{ workflowId: string; runId: string }>();

    const refused = await deploy(`${IMAGE}:2.0.1`);
    assert.equal(refused.code, 3, refused.stderr);
    assert.match(refused.stderr, /another deploy of this app is running/);

    const superseding = await deploy(`${IMAGE}:2.0.1`, '--supersede', '-o', 'json');
    assert.equal(superseding.code, 0, superseding.stderr + superseding.stdout);
    assert.equal(superseding.json<DeployResult>().outcome, 'Succeeded');

    const firstHandle: DeployHandle = h.client.workflow.getHandle(workflowId, runId);
    const firstResult = await waitForResult(firstHandle);
    assert.equal(firstResult.outcome, 'RolledBack');
    assert.equal(firstResult.reason, 'Cancelled');
  });

  test('operators pause, are refused what makes no sense, resume; watch follows it to the end', async () => {
    const file = specFile('v3', h.spec({ strategy: { minReadySeconds: 2 } }));
    const started = await cli('deploy', '-f', file, '--env', h.environment, '--image', `${IMAGE}:3.0.0`, '--no-wait');
    assert.equal(started.code, 0, started.stderr);
    assert.equal(started.stdout.trim(), `deploy/${h.environment}/${h.namespace}/awesome-api`);

    await until('the rollout to start', async () => (await statusOf()).phase === 'RollingOut');
    const pause = await cli('pause', 'awesome-api', ...where, '--reason', 'checking dashboards', '-o', 'json');
    assert.equal(pause.code, 0, pause.stderr);
    assert.equal(pause.json<{ accepted: boolean }>().accepted, true);
    await until('the rollout to hold', async () => (await statusOf()).phase === 'Paused');

    const retry = await cli('retry', 'awesome-api', ...where);
    assert.equal(retry.code, 1);
    assert.match(retry.stderr, /retry refused: retry refused in phase Paused: retry needs a stuck deploy/);

    const status = await statusOf();
    assert.equal(status.status, 'RUNNING');
    assert.deepEqual(status.nextActions, ['resume', 'rollback']);
    assert.ok(status.actions.some((a) => a.action === 'pause' && a.reason === 'checking dashboards' && a.requestedBy === 'cli-test'));

    const resume = await cli('resume', 'awesome-api', ...where);
    assert.equal(resume.code, 0, resume.stderr);
    assert.match(resume.stdout, /^resume: resuming/);

    const watch = await cli('watch', 'awesome-api', ...where);
    assert.equal(watch.code, 0, watch.stderr + watch.stdout);
    assert.match(watch.stdout, /^RollingOut · step \d\/\d, new awesome-api-[0-9a-f]{8} \d\/3 ready/m);
    assert.match(watch.stdout, /^Succeeded: awesome-api-[0-9a-f]{8} serves registry\.example\/awesome-api:3\.0\.0/m);
    assert.doesNotMatch(watch.stdout, /\x1b/, 'no ANSI codes in a non-terminal');

    const ended = await cli('pause', 'awesome-api', ...where);
    assert.equal(ended.code, 1);
    assert.match(ended.stderr, /the deploy has ended \(Succeeded\)/);
  });

  test('a never-ready release: live lines, then RolledBack with ImagePullBackOff and exit 1', async () => {
    const file = specFile('bad', h.spec({ strategy: { progressDeadlineSeconds: 6 } }));
    const r = await cli('deploy', '-f', file, '--env', h.environment, '--image', `${IMAGE}:9.9.9-never-ready`);
    assert.equal(r.code, 1, r.stderr + r.stdout);
    // CI-log lines: one per change, old and new counts side by side.
    assert.match(r.stdout, /^RollingOut · step \d\/\d, new awesome-api-[0-9a-f]{8} 0\/3 ready, old awesome-api-[0-9a-f]{8} 3\/3 ready$/m);
    assert.match(r.stdout, /^RolledBack: rolled back: .*ImagePullBackOff/m);
    assert.match(r.stdout, /^ {2}reason: +ImagePullBackOff$/m);
    assert.match(r.stdout, new RegExp(`^  ui: +${UI}/namespaces/default/workflows/deploy%2F`, 'm'));
  });

  test('status, history and list show the deploys', async () => {
    const status = await statusOf();
    assert.equal(status.phase, 'RolledBack');
    assert.equal(status.status, 'FAILED');
    assert.equal(status.result?.reason, 'ImagePullBackOff');

    const text = await cli('status', 'awesome-api', ...where);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /phase: +RolledBack/);
    assert.match(text.stdout, /last error: +RolloutStalled \(ImagePullBackOff\)/);

    const history = await cli('history', 'awesome-api', ...where, '-o', 'json');
    assert.equal(history.code, 0, history.stderr);
    const entries = history.json<Array<DeployInfo & { outcome: string }>>();
    assert.deepEqual(
      entries.map((e) => [e.image.replace(`${IMAGE}:`, ''), e.outcome]),
      [
        ['9.9.9-never-ready', 'RolledBack'],
        ['3.0.0', 'Succeeded'],
        ['2.0.1', 'Succeeded'],
        ['2.0.0', 'RolledBack'],
        ['1.0.0', 'Succeeded'],
      ],
    );
    assert.ok(entries.every((e) => e.requestedBy === 'cli-test'));

    const historyText = await cli('history', 'awesome-api', ...where);
    assert.match(historyText.stdout, /^IMAGE +OUTCOME +WHO +WHEN +DURATION$/m);

    const list = await cli('list', '--env', h.environment, '-o', 'json');
    assert.equal(list.code, 0, list.stderr);
    const deploys = list.json<DeployInfo[]>();
    assert.equal(deploys.length, 5);
    assert.ok(deploys.every((d) => d.environment === h.environment && d.app === 'awesome-api'));
    const rolledBack = await cli('list', '--env', h.environment, '--phase', 'RolledBack', '-o', 'json');
    // The superseded deploy counts as rolled back: the cluster is as it was before it.
    assert.deepEqual(rolledBack.json<DeployInfo[]>().map((d) => d.image), [`${IMAGE}:9.9.9-never-ready`, `${IMAGE}:2.0.0`]);

    const none = await cli('status', 'no-such-app', ...where);
    assert.equal(none.code, 1);
    assert.match(none.stderr, new RegExp(`no deploy of no-such-app in ${h.environment}`));
  });

  test('rollback --to-revision redeploys a kept revision exactly', async () => {
    const kept = (await listRcs(h.kc, h.namespace, 'awesome-api')).find((rc) => rc.spec?.replicas === 0);
    assert.ok(kept, 'a revision is kept at 0 replicas');
    const revision = kept.metadata!.annotations!['deployflow.io/revision']!;
    const r = await cli('rollback', 'awesome-api', ...where, '--to-revision', revision, '-o', 'json');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const result = r.json<DeployResult>();
    assert.equal(result.outcome, 'Succeeded', result.message);
    assert.equal(result.rc, kept.metadata!.name);
  });
});
