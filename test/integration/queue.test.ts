// The deploy queue on the real stack through deployctl (issue 17): three
// deploys of one app with --queue latest-wins (first runs, second Superseded
// with exit 0, third runs), with --queue fifo (all three, in order), reject
// beside a running queue (exit 3), `deployctl queue`, and a per-node resize
// queued behind a deploy waiting its turn.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import yaml from 'js-yaml';
import type { AppSpec } from '../../domain/spec.js';
import { queueIdFor, scheduleIdFor } from '../../domain/names.js';
import { progressQuery, queueQuery, type DeployResult, type QueueView } from '../../workflows/messages.js';
import { parseSpecText } from '../../client/spec-file.js';
import { addNodes } from '../../stack/nodes.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';
import { core, listRcs } from '../helpers/cluster.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { isSchedulable } from '../../activities/nodes.js';

const IMAGE = 'registry.example/awesome-api';
const agentExample = parseSpecText(fs.readFileSync(new URL('../../examples/node-agent.yaml', import.meta.url), 'utf8'));
const EXTRA_NODE = 'kwok-node-950';

describe('deploy queue on the local stack', () => {
  let h: DeployHarness;
  let env: Record<string, string | undefined>;
  let dir: string;
  let where: string[];

  before(async () => {
    h = await deployHarness('queue');
    env = { ...process.env, TEMPORAL_ADDRESS: h.info.temporalAddress, TEMPORAL_NAMESPACE: 'default', USER: 'queue-test' };
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployctl-queue-'));
    where = ['--env', h.environment, '--namespace', h.namespace];
  });
  after(async () => {
    await core(h.kc).deleteNode({ name: EXTRA_NODE }).catch(() => undefined);
    await h?.client.schedule.getHandle(scheduleIdFor(h.environment, h.namespace, agentExample.name)).delete().catch(() => undefined);
    // Agents hold a host port on every node: left running, they would refuse the next run's agents.
    await core(h.kc).deleteNamespace({ name: h.namespace }).catch(() => undefined);
    await h?.close();
  });

  const cli = (...argv: string[]): Promise<CliRun> => runCli(argv, env);

  function specFile(name: string, spec: AppSpec): string {
    const file = path.join(dir, `${name}.yaml`);
    fs.writeFileSync(file, yaml.dump(spec));
    return file;
  }

  async function queueView(name: string): Promise<QueueView | undefined> {
    return h.client.workflow.getHandle(queueIdFor(h.environment, h.namespace, name)).query(queueQuery).catch(() => undefined);
  }

  /** Requests this queue has seen (running, waiting or ended). */
  async function seen(name: string): Promise<number> {
    const v = await queueView(name);
    return v ? (v.running ? 1 : 0) + v.pending.length + v.finished.length : 0;
  }

  /**
   * Starts `deployctl deploy --queue POLICY` for each image, the next one as
   * soon as the queue has the previous (all within about a second), and
   * returns their runs.
   */
  async function threeDeploys(app: string, policy: string, images: string[]): Promise<CliRun[]> {
    // minReadySeconds keeps the first deploy running while the others arrive.
    const file = specFile(app, h.spec({ name: app, replicas: 1, strategy: { minReadySeconds: 4 } }));
    const runs: Promise<CliRun>[] = [];
    const before = await seen(app);
    for (const [i, image] of images.entries()) {
      runs.push(cli('deploy', '-f', file, '--env', h.environment, '--image', image, '--queue', policy, '-o', 'json'));
      const deadline = Date.now() + 20_000;
      while ((await seen(app)) < before + i + 1) {
        assert.ok(Date.now() < deadline, `the queue never received request ${i + 1}`);
        await sleep(50);
      }
    }
    return Promise.all(runs);
  }

  test('latest-wins: three deploys within a second: the first runs, the second ends Superseded (exit 0), the third runs', async () => {
    const started = Date.now();
    const runs = await threeDeploys('lw-api', 'latest-wins', [`${IMAGE}:1.0.0`, `${IMAGE}:2.0.0`, `${IMAGE}:3.0.0`]);
    const results = runs.map((r) => r.json<DeployResult>());
    assert.deepEqual(runs.map((r) => r.code), [0, 0, 0], runs.map((r) => r.stderr).join('\n'));
    assert.deepEqual(results.map((r) => r.outcome), ['Succeeded', 'Superseded', 'Succeeded']);
    assert.equal(results[1]!.queue?.supersededBy, results[2]!.queue?.ticket);
    assert.equal(results[2]!.image, `${IMAGE}:3.0.0`);
    const rcs = await listRcs(h.kc, h.namespace, 'lw-api');
    const images = rcs.map((rc) => rc.spec?.template?.spec?.containers[0]?.image).sort();
    assert.deepEqual(images, [`${IMAGE}:1.0.0`, `${IMAGE}:3.0.0`], 'nothing of 2.0.0 reached the cluster');
    console.log(`latest-wins: three requests ended in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  test('fifo: all three run, in order; a reject-mode deploy meanwhile is refused with exit 3; deployctl queue shows what waits', async () => {
    const app = 'fifo-api';
    const images = [`${IMAGE}:1.0.0`, `${IMAGE}:2.0.0`, `${IMAGE}:3.0.0`];
    const all = threeDeploys(app, 'fifo', images);
    // While they run: what the queue shows, and a direct start refused like any second deploy.
    let listed: { running: { image: string } | null; pending: { image: string; policy: string; requestedBy: string }[] } | undefined;
    for (let i = 0; i < 100 && !listed?.pending.length; i++) {
      const q = await cli('queue', app, ...where, '-o', 'json');
      assert.equal(q.code, 0, q.stderr);
      listed = q.json();
      await sleep(100);
    }
    assert.ok(listed?.pending.length, 'deployctl queue showed waiting requests');
    assert.ok(listed.pending.every((p) => p.policy === 'fifo' && p.requestedBy === 'queue-test'));
    const text = await cli('queue', app, ...where);
    assert.match(text.stdout, /TICKET\s+KIND\s+IMAGE\s+REQUESTED BY\s+SINCE\s+POLICY/);
    const reject = await cli('deploy', '-f', specFile(`${app}-r`, h.spec({ name: app, replicas: 1 })), '--env', h.environment, '--image', `${IMAGE}:9.0.0`, '-o', 'json');
    assert.equal(reject.code, 3, reject.stdout + reject.stderr);

    const runs = await all;
    const results = runs.map((r) => r.json<DeployResult>());
    assert.deepEqual(runs.map((r) => r.code), [0, 0, 0], runs.map((r) => r.stderr).join('\n'));
    assert.deepEqual(results.map((r) => r.outcome), ['Succeeded', 'Succeeded', 'Succeeded']);
    assert.deepEqual(results.map((r) => r.image), images);
    const revisions = results.map((r) => r.revision ?? 0);
    assert.deepEqual(revisions, [...revisions].sort((a, b) => a - b), 'revisions in the order queued');
    assert.equal(new Set(revisions).size, 3);
    // The requesters follow the deploys themselves: the queue records the last end a moment later.
    let view = await queueView(app);
    for (let i = 0; i < 100 && view?.finished.length !== 3; i++) {
      await sleep(100);
      view = await queueView(app);
    }
    assert.deepEqual(view?.finished.map((f) => f.image), images, 'finished in the order queued');
  });

  test('a per-node resize queued behind a deploy waits for it, then sizes the new revision to the nodes', async () => {
    const spec: AppSpec = { ...agentExample, namespace: h.namespace, strategy: { ...agentExample.strategy, minReadySeconds: 0 } };
    const v1 = await cli('deploy', '-f', specFile('agent', spec), ...where.slice(0, 2), '--image', ':1.0.0', '-o', 'json');
    assert.equal(v1.code, 0, v1.stderr);
    const nodes = (await core(h.kc).listNode()).items.filter(isSchedulable).length;

    // A slow new version through the queue: node by node, each step held a few seconds.
    const slow = { ...spec, strategy: { ...spec.strategy, minReadySeconds: 3 } };
    const queued = await cli('deploy', '-f', specFile('agent-2', slow), ...where.slice(0, 2), '--image', ':2.0.0', '--queue', 'fifo', '--no-wait', '-o', 'json');
    assert.equal(queued.code, 0, queued.stderr);
    const { ticket } = queued.json<{ ticket: string }>();
    const deadline = Date.now() + 30_000;
    // Admitted (sized to the nodes it saw) and rolling: the new node comes after.
    for (;;) {
      const deploy = (await queueView(spec.name))?.running?.deploy;
      const phase = deploy && (await h.client.workflow.getHandle(deploy.workflowId, deploy.runId).query(progressQuery)).phase;
      if (phase === 'RollingOut') break;
      assert.ok(Date.now() < deadline, 'the queued deploy never rolled');
      await sleep(100);
    }
    await addNodes(h.info.binDir, h.info.kubeconfig, 1, 950);
    await h.client.schedule.getHandle(scheduleIdFor(h.environment, h.namespace, spec.name)).trigger();

    let waiting: QueueView | undefined;
    while (!waiting?.pending.some((p) => p.kind === 'resize')) {
      assert.ok(Date.now() < deadline + 30_000, 'the resize never queued');
      waiting = await queueView(spec.name);
      await sleep(200);
    }
    assert.equal(waiting.running?.ticket, ticket, 'the deploy runs; the resize waits behind it');

    let done: QueueView | undefined;
    while (!done?.finished.some((f) => f.kind === 'resize')) {
      assert.ok(Date.now() < deadline + 120_000, 'the resize never ran');
      done = await queueView(spec.name);
      await sleep(500);
    }
    const order = done.finished.filter((f) => f.ticket === ticket || f.kind === 'resize').map((f) => `${f.kind}:${f.outcome}`);
    assert.deepEqual(order, ['deploy:Succeeded', 'resize:Scaled']);
    const serving = (await listRcs(h.kc, h.namespace, spec.name)).filter((rc) => (rc.spec?.replicas ?? 0) > 0);
    assert.equal(serving.length, 1);
    assert.match(serving[0]!.spec?.template?.spec?.containers[0]?.image ?? '', /:2\.0\.0$/, 'the resize sized the new revision');
    assert.equal(serving[0]!.spec?.replicas, nodes + 1);
  });
});
