// The label policy and `deployctl labels` on the real stack: deploys carrying
// custom labels, the inventory read back from Temporal alone (latest Succeeded
// deploy per app, its applied manifest), `deployctl workers`, and the policy
// travelling in the workflow input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { AppSpec } from '../../domain/spec.js';
import { taskQueueFor, workflowIdFor } from '../../domain/names.js';
import { DEPLOY_WORKFLOW, type DeployInput } from '../../workflows/messages.js';
import { loadLabelPolicyFile } from '../../client/label-policy-file.js';
import type { LabelGroup, RunningRc } from '../../client/label-inventory.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';
import { listRcs } from '../helpers/cluster.js';
import { runCli, type CliRun } from '../helpers/cli.js';

const IMAGE = 'registry.example/awesome-api';
const POLICY = new URL('../../examples/label-policy.yaml', import.meta.url).pathname;

interface LabelsDocument {
  environment: string;
  rcs: RunningRc[];
  groups: Record<string, LabelGroup[]>;
  skipped: unknown[];
}

describe('label policy and deployctl labels on the local stack', () => {
  let h: DeployHarness;
  let env: Record<string, string | undefined>;
  let dir: string;

  before(async () => {
    h = await deployHarness('labels');
    env = { ...process.env, TEMPORAL_ADDRESS: h.info.temporalAddress, TEMPORAL_NAMESPACE: 'default', USER: 'labels-test' };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'labels-it-'));
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

  const api = () => h.spec({ replicas: 2, labels: { team: 'payments', 'cost-center': 'cc-1234' } });
  const frontend = () =>
    h.spec({
      name: 'awesome-frontend', tier: 'frontend', role: 'web', language: undefined, replicas: 1, labels: { team: 'web' },
      containers: [{ ...h.spec().containers[0]!, name: 'web', image: 'registry.example/awesome-frontend' }],
    });

  test('deploy --label-policy: a conforming app with custom labels deploys; its pods carry them', async () => {
    const r = await cli('deploy', '-f', specFile('api', api()), '--env', h.environment, '--image', `${IMAGE}:1.0.0`, '--label-policy', POLICY, '-o', 'json');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const [rc] = await listRcs(h.kc, h.namespace, 'awesome-api');
    assert.equal(rc?.spec?.template?.metadata?.labels?.team, 'payments');
    assert.equal(rc?.spec?.template?.metadata?.labels?.['cost-center'], 'cc-1234');
    assert.equal(rc?.metadata?.labels?.team, 'payments');
  });

  test('deploy --label-policy: a breaching app exits 2 and starts nothing', async () => {
    const bad = h.spec({ name: 'awesome-db', tier: 'database', labels: { team: 'payments' } });
    const r = await cli('deploy', '-f', specFile('bad', bad), '--env', h.environment, '--image', `${IMAGE}:1.0.0`, '--label-policy', POLICY);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /tier: must be one of frontend, backend, worker \(label policy\)/);
    const history = await cli('history', 'awesome-db', '--env', h.environment, '--namespace', h.namespace);
    assert.equal(history.code, 1, 'no deploy of awesome-db was started');
  });

  test('labels: the running RCs grouped by app/tier/role/language, from Temporal alone', async () => {
    const r1 = await cli('deploy', '-f', specFile('frontend', frontend()), '--env', h.environment, '--image', 'registry.example/awesome-frontend:2.0.0', '-o', 'json');
    assert.equal(r1.code, 0, r1.stderr + r1.stdout);
    // A rolled-back release must not replace what runs: the api's latest Succeeded deploy still names it.
    const failed = await cli('deploy', '-f', specFile('api', api()), '--env', h.environment, '--image', `${IMAGE}:1.0.1-never-ready`, '-o', 'json');
    assert.equal(failed.code, 1, failed.stdout);
    const running = await listRcs(h.kc, h.namespace, 'awesome-api');

    const r = await cli('labels', '--env', h.environment, '--namespace', h.namespace, '-o', 'json');
    assert.equal(r.code, 0, r.stderr);
    const doc = r.json<LabelsDocument>();
    assert.deepEqual(doc.skipped, []);
    assert.deepEqual(doc.rcs.map((rc) => [rc.labels.name, rc.replicas, rc.image]), [
      ['awesome-api', 2, `${IMAGE}:1.0.0`],
      ['awesome-frontend', 1, 'registry.example/awesome-frontend:2.0.0'],
    ]);
    assert.equal(doc.rcs[0]!.rc, running.find((rc) => (rc.spec?.replicas ?? 0) > 0)?.metadata?.name, 'the RC that really serves');
    assert.deepEqual(doc.rcs[0]!.labels, { name: 'awesome-api', app: 'awesome', tier: 'backend', role: 'api', language: 'nodejs', 'cost-center': 'cc-1234', team: 'payments' });
    assert.deepEqual(doc.groups.tier!.map((g) => [g.value, g.rcs, g.pods]), [['backend', 1, 2], ['frontend', 1, 1]]);
    assert.deepEqual(doc.groups.app!.map((g) => [g.value, g.rcs, g.pods]), [['awesome', 2, 3]]);
    assert.deepEqual(doc.groups.language!.map((g) => g.value), ['nodejs', '(none)']);

    const text = await cli('labels', '--env', h.environment, '--namespace', h.namespace, '--group-by', 'tier,team');
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^TIER\s+TEAM\s+NAME\s+RC\s+REPLICAS/m);
    assert.match(text.stdout, /by team:\s+payments \(1 RC, 2 pods\), web \(1 RC, 1 pod\)/);

    const onlyFrontend = await cli('labels', '--env', h.environment, '--namespace', h.namespace, '--app', 'awesome', '-o', 'json');
    assert.equal(onlyFrontend.json<LabelsDocument>().rcs.length, 2);
    const elsewhere = await cli('labels', '--env', h.environment, '--namespace', 'no-such-namespace');
    assert.equal(elsewhere.code, 0);
    assert.match(elsewhere.stdout, /no succeeded deploys/);
  });

  test('workers: the harness worker is polling; an environment without one exits 1', async () => {
    const up = await cli('workers', '--env', h.environment, '-o', 'json');
    assert.equal(up.code, 0, up.stderr);
    const doc = up.json<{ healthy: boolean; taskQueue: string; workers: Array<{ identity: string; types: string[] }> }>();
    assert.equal(doc.healthy, true);
    assert.equal(doc.taskQueue, `deploy-${h.environment}`);
    assert.ok(doc.workers.some((w) => w.identity.startsWith(`deployflow-worker/${h.environment}@`) && w.types.includes('workflow') && w.types.includes('activity')));

    const none = await cli('workers', '--env', `${h.environment.slice(0, 50)}-nobody`);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no worker of .* polled deploy-/);
  });

  test('the policy travels in the workflow input: a deploy started around the client is refused by the workflow', async () => {
    // Bypasses prepareDeploy (which would refuse it locally), as any other Temporal client could.
    const spec = h.spec({ name: 'awesome-sneaky', tier: 'database' });
    const input: DeployInput = { spec, environment: h.environment, image: `${IMAGE}:1.0.0`, requestedBy: 'test', labelPolicy: loadLabelPolicyFile(POLICY) };
    const handle = await h.client.workflow.start(DEPLOY_WORKFLOW, {
      taskQueue: taskQueueFor(h.environment),
      workflowId: workflowIdFor(h.environment, h.namespace, spec.name),
      args: [input],
    });
    await assert.rejects(handle.result(), (err: unknown) => {
      assert.ok(err instanceof WorkflowFailedError);
      const cause = err.cause;
      assert.ok(cause instanceof ApplicationFailure, String(cause));
      assert.match(cause.message, /tier: must be one of frontend, backend, worker \(label policy\)/);
      return true;
    });
    assert.deepEqual(await listRcs(h.kc, h.namespace, 'awesome-sneaky'), [], 'nothing was written');
  });
});
