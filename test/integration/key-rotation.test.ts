// Codec key rotation with real worker processes on the real stack. A deploy is
// started under key k1 and held at its approval gate; then
//  - a worker that has only k2 cannot read the deploy's history: its workflow
//    task fails with an error naming the missing key (in history and in its
//    log), and nothing is written to the cluster;
//  - a worker with k2 current and k1 kept takes over and finishes the deploy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { startDeploy, waitForResult } from '../../client/api.js';
import { approveUpdate, progressQuery } from '../../workflows/messages.js';
import { AesGcmCodec } from '../../codec/aes-gcm-codec.js';
import { generateKeyEntry, keyringFromEnv } from '../../codec/keys.js';
import { parseSpecText } from '../../client/spec-file.js';
import { repoRoot } from '../../stack/layout.js';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { freshNamespace, listRcs } from '../helpers/cluster.js';
import { rawTemporalClient, temporalClient } from '../helpers/temporal.js';
import { rawHistory } from '../helpers/history.js';
import { WorkerProcess } from '../helpers/worker-process.js';

const k1 = generateKeyEntry('rotation-k1');
const k2 = generateKeyEntry('rotation-k2');
const example = parseSpecText(fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8'));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('codec key rotation', () => {
  const workers: WorkerProcess[] = [];
  let raw: Client;
  after(async () => {
    for (const w of workers) await w.stop();
    await raw?.connection.close();
  });
  before(async () => {
    raw = await rawTemporalClient(await useStack());
  });

  test('a deploy started under k1 fails workflow tasks on a worker without k1, then finishes on one with k2 current and k1 kept', async () => {
    const info = await useStack();
    const kc = stackKubeConfig(info);
    const namespace = await freshNamespace(kc, 'rotate');
    const environment = `env-${namespace}`;
    const logs = path.join(repoRoot, 'test-results', `key-rotation-${process.pid}`);
    const worker = async (name: string, keys: string) => {
      const w = await WorkerProcess.start({
        environment, namespaces: [namespace], kubeconfig: info.kubeconfig, temporalAddress: info.temporalAddress,
        logFile: path.join(logs, `${name}.log`), env: { DEPLOYFLOW_CODEC_KEYS: keys, DEPLOYFLOW_CODEC_KEY_FILE: undefined },
      }, 300_000); // three workers bundle their workflow code in turn: slow on a shared 2-core machine
      workers.push(w);
      return w;
    };
    const clientK1 = await temporalClient(info, { DEPLOYFLOW_CODEC_KEYS: k1 });
    const clientRotated = await temporalClient(info, { DEPLOYFLOW_CODEC_KEYS: `${k2},${k1}` });
    try {
      // 1. Under k1: a first deploy, then an update that stops at its approval gate after the first step.
      const w1 = await worker('k1', k1);
      const first = { ...example, namespace, strategy: { ...example.strategy, minReadySeconds: 0 } };
      const firstDeploy = await startDeploy(clientK1, { spec: first, environment, image: 'registry.example/awesome-api:1.0.0', requestedBy: 'rotation-test' });
      assert.equal((await waitForResult(firstDeploy)).outcome, 'Succeeded');
      const spec = { ...first, strategy: { ...first.strategy, approval: 'after-first-step' as const } };
      const handle = await startDeploy(clientK1, { spec, environment, image: 'registry.example/awesome-api:1.1.0', requestedBy: 'rotation-test' });
      for (let i = 0; (await handle.query(progressQuery)).phase !== 'AwaitingApproval'; i++) {
        assert.ok(i < 240, 'the deploy reached its approval gate');
        await sleep(250);
      }
      await w1.stop();
      const rcsBefore = JSON.stringify((await listRcs(kc, namespace, spec.name)).map((rc) => [rc.metadata?.name, rc.spec?.replicas]));

      // 2. A worker with k2 only: the approval's workflow task cannot read the k1 history.
      const w2 = await worker('k2-only', k2);
      // The approval's workflow task is the one that fails; the update itself is not delivered (asked again below).
      void handle.executeUpdate(approveUpdate, { args: [{ reason: 'rotation', requestedBy: 'rotation-test' }] }).catch(() => undefined);
      const failure = await waitForTaskFailure(raw, handle.workflowId, handle.firstExecutionRunId);
      const message = await failureMessage(failure, `${k2}`);
      assert.match(message, /codec key "rotation-k1": this process has only rotation-k2/);
      await w2.stop();
      assert.match(fs.readFileSync(w2.logFile, 'utf8'), /codec key \\"rotation-k1\\": this process has only rotation-k2/, 'the worker log says why');
      const described = await raw.workflow.getHandle(handle.workflowId).describe();
      assert.equal(described.status.name, 'RUNNING', 'the deploy is neither failed nor corrupted');
      assert.equal(JSON.stringify((await listRcs(kc, namespace, spec.name)).map((rc) => [rc.metadata?.name, rc.spec?.replicas])), rcsBefore, 'nothing was written');

      // 3. k2 current, k1 kept: the same deploy goes on and succeeds.
      await worker('k2-k1', `${k2},${k1}`);
      // The server may refuse updates while the failed workflow task is being retried: ask until it is taken.
      let lastError: unknown;
      for (let i = 0; i < 60; i++) {
        try {
          await clientRotated.workflow.getHandle(handle.workflowId).executeUpdate(approveUpdate, { args: [{ reason: 'rotation', requestedBy: 'rotation-test' }] });
          lastError = undefined;
          break;
        } catch (err) {
          // The approval asked while k1 was missing may be the one that lands: then the deploy ends on its own.
          if (err instanceof WorkflowNotFoundError) {
            lastError = undefined;
            break;
          }
          lastError = err;
          await sleep(1000);
        }
      }
      assert.equal(lastError, undefined, `the approval went through: ${String((lastError as Error | undefined)?.cause ?? lastError)}`);
      const result = await waitForResult(clientRotated.workflow.getHandle(handle.workflowId));
      assert.equal(result.outcome, 'Succeeded');
    } finally {
      await clientK1.connection.close();
      await clientRotated.connection.close();
    }
  });
});

type Failure = NonNullable<NonNullable<Awaited<ReturnType<typeof rawHistory>>['events']>[number]['workflowTaskFailedEventAttributes']>['failure'];

async function waitForTaskFailure(raw: Client, workflowId: string, runId: string): Promise<Failure> {
  for (let i = 0; i < 240; i++) {
    const history = await rawHistory(raw, workflowId, runId);
    const failed = history.events?.find((e) => e.workflowTaskFailedEventAttributes)?.workflowTaskFailedEventAttributes;
    if (failed) return failed.failure;
    await sleep(250);
  }
  return assert.fail('no WorkflowTaskFailed event within 60 s');
}

/** The failure's message: in clear, or (encrypted failure attributes) opened with `keys`. */
async function failureMessage(failure: Failure, keys: string): Promise<string> {
  const encoded = failure?.encodedAttributes as Payload | null | undefined;
  if (!encoded) return failure?.message ?? '';
  const keyring = keyringFromEnv({ DEPLOYFLOW_CODEC_KEYS: keys });
  const [opened] = await new AesGcmCodec(keyring!).decode([encoded]);
  return (defaultPayloadConverter.fromPayload(opened!) as { message: string }).message;
}
