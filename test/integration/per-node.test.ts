// Per-node agents on the KWOK cluster (DESIGN.md §6): one pod per schedulable
// node; the per-node schedule resizes the RC as fake nodes come and go; a new
// agent version rolls node by node without a pod stuck Pending on its hostPort.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { startDeploy, waitForResult } from '../../client/api.js';
import { parseSpecText } from '../../client/spec-file.js';
import { scheduleIdFor } from '../../domain/names.js';
import type { AppSpec } from '../../domain/spec.js';
import { addNodes } from '../../stack/nodes.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';
import { core, isReady, listPods, listRcs } from '../helpers/cluster.js';
import { isSchedulable } from '../../activities/nodes.js';

const agent = parseSpecText(fs.readFileSync(new URL('../../examples/node-agent.yaml', import.meta.url), 'utf8'));
const EXTRA_NODES = ['kwok-node-900', 'kwok-node-901'];

describe('per-node agents', () => {
  let h: DeployHarness;
  let spec: AppSpec;

  before(async () => {
    h = await deployHarness('agent');
    spec = { ...agent, namespace: h.namespace, strategy: { ...agent.strategy, minReadySeconds: 0 } };
  });
  after(async () => {
    for (const name of EXTRA_NODES) await core(h.kc).deleteNode({ name }).catch(() => undefined);
    await h.client.schedule.getHandle(scheduleIdFor(h.environment, h.namespace, spec.name)).delete().catch(() => undefined);
    // Agents hold a host port on every node: left running, they would refuse the next run's agents.
    await core(h.kc).deleteNamespace({ name: h.namespace }).catch(() => undefined);
    await h?.close();
  });

  async function schedulableNodes(): Promise<number> {
    return (await core(h.kc).listNode()).items.filter(isSchedulable).length;
  }

  /** Runs the per-node schedule now and waits until the agent's RC has `replicas` ready pods. */
  async function resizeTo(replicas: number): Promise<void> {
    const schedule = h.client.schedule.getHandle(scheduleIdFor(h.environment, h.namespace, spec.name));
    const deadline = Date.now() + 60_000;
    for (;;) {
      await schedule.trigger();
      await new Promise((r) => setTimeout(r, 2000));
      const [rc] = (await listRcs(h.kc, h.namespace, spec.name)).filter((r) => (r.spec?.replicas ?? 0) > 0);
      if (rc?.spec?.replicas === replicas && rc.status?.readyReplicas === replicas) return;
      assert.ok(Date.now() < deadline, `agent RC at ${rc?.spec?.replicas}/${rc?.status?.readyReplicas}, expected ${replicas}`);
    }
  }

  async function assertOnePodPerNode(image: RegExp): Promise<void> {
    const pods = (await listPods(h.kc, h.namespace, `name=${spec.name}`)).filter((p) => !p.metadata?.deletionTimestamp);
    const nodes = pods.map((p) => p.spec?.nodeName);
    assert.equal(new Set(nodes).size, nodes.length, `two agents on one node: ${nodes}`);
    assert.equal(pods.length, await schedulableNodes());
    assert.ok(pods.every(isReady), 'every agent pod is ready (none Pending on a port conflict)');
    assert.ok(pods.every((p) => image.test(p.spec?.containers[0]?.image ?? '')));
  }

  test('first deploy runs one agent per schedulable node and creates the per-node schedule', async () => {
    const result = await waitForResult(await startDeploy(h.client, { spec, environment: h.environment, image: ':1.0.0', requestedBy: 'agent-test' }));
    assert.equal(result.outcome, 'Succeeded', result.message);
    await assertOnePodPerNode(/:1\.0\.0$/);
    const schedule = await h.client.schedule.getHandle(scheduleIdFor(h.environment, h.namespace, spec.name)).describe();
    assert.equal(schedule.action.type, 'startWorkflow');
  });

  test('nodes added and removed: the schedule resizes the agent to follow', async () => {
    const before = await schedulableNodes();
    await addNodes(h.info.binDir, h.info.kubeconfig, 2, 900);
    await resizeTo(before + 2);
    await assertOnePodPerNode(/:1\.0\.0$/);

    await core(h.kc).deleteNode({ name: EXTRA_NODES[1]! });
    await resizeTo(before + 1);
  });

  test('a new agent version rolls node by node: never two agents on a node, none left Pending', async () => {
    const result = await waitForResult(await startDeploy(h.client, { spec, environment: h.environment, image: ':2.0.0', requestedBy: 'agent-test' }));
    assert.equal(result.outcome, 'Succeeded', result.message);
    await assertOnePodPerNode(/:2\.0\.0$/);
  });
});
