// Webhook notifications on the real stack: a local HTTP receiver gets
// Slack-compatible bodies for started / succeeded / rolled-back, and a
// receiver that always fails neither fails nor blocks the deploy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startDeploy, waitForResult } from '../../client/api.js';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { freshNamespace } from '../helpers/cluster.js';
import { startWorker, temporalClient, type RunningWorker } from '../helpers/temporal.js';
import { parseSpecText } from '../../client/spec-file.js';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { AesGcmCodec } from '../../codec/aes-gcm-codec.js';
import { keyringFromEnv } from '../../codec/keys.js';
import { repoRoot } from '../../stack/layout.js';
import { rawTemporalClient } from '../helpers/temporal.js';
import { historyBytes, openedHistoryText, rawHistory } from '../helpers/history.js';
import { WorkerProcess } from '../helpers/worker-process.js';

interface Received {
  text: string;
  blocks: unknown[];
  deployflow: { event: string; app: string; reason?: string };
}

class Receiver {
  readonly bodies: Received[] = [];
  private readonly server: http.Server;
  constructor(private readonly status: number) {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        this.bodies.push(JSON.parse(body) as Received);
        res.writeHead(this.status).end();
      });
    });
  }
  async listen(hookPath = '/hook'): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${hookPath}`;
  }
  close(): void {
    this.server.close();
  }
  events(): string[] {
    return this.bodies.map((b) => b.deployflow.event);
  }
}

const example = parseSpecText(fs.readFileSync(new URL('../../examples/awesome-api.yaml', import.meta.url), 'utf8'));

describe('notifications', () => {
  let client: Client;
  before(async () => {
    client = await temporalClient(await useStack());
  });
  after(async () => {
    await client?.connection.close();
  });

  async function withWorker<T>(status: number, fn: (deploy: (image: string, deadline?: number) => Promise<string>, hook: Receiver) => Promise<T>): Promise<T> {
    const info = await useStack();
    const kc = stackKubeConfig(info);
    const namespace = await freshNamespace(kc, 'notify');
    const environment = `env-${namespace}`;
    const hook = new Receiver(status);
    const worker: RunningWorker = await startWorker(info, kc, environment, [namespace], { webhooks: [await hook.listen()] });
    try {
      return await fn(async (image, deadline = 15) => {
        const spec = { ...example, namespace, strategy: { ...example.strategy, minReadySeconds: 0, progressDeadlineSeconds: deadline } };
        return (await waitForResult(await startDeploy(client, { spec, environment, image, requestedBy: 'notify-test' }))).outcome;
      }, hook);
    } finally {
      await worker.stop();
      hook.close();
    }
  }

  test('started and succeeded, then started and rolled-back with the reason, as Slack-compatible JSON', async () => {
    await withWorker(200, async (deploy, hook) => {
      assert.equal(await deploy('registry.example/awesome-api:1.0.0'), 'Succeeded');
      assert.equal(await deploy('registry.example/awesome-api:2.0.0-never-ready', 4), 'RolledBack');
      assert.deepEqual(hook.events(), ['started', 'succeeded', 'started', 'rolled-back']);
      const rolledBack = hook.bodies[3]!;
      assert.match(rolledBack.text, /awesome-api → env-notify-.* rolled-back: registry\.example\/awesome-api:2\.0\.0-never-ready \(ImagePullBackOff\)/);
      assert.equal(rolledBack.deployflow.reason, 'ImagePullBackOff');
      assert.ok(Array.isArray(rolledBack.blocks) && rolledBack.blocks.length > 0);
    });
  });

  test('a webhook that always fails neither fails nor blocks the deploy', async () => {
    await withWorker(500, async (deploy, hook) => {
      assert.equal(await deploy('registry.example/awesome-api:1.0.0'), 'Succeeded');
      assert.ok(hook.bodies.length >= 2, 'the receiver was called (and answered 500)');
    });
  });

  test('a webhook answering 500 with a token in its URL: its path is nowhere in history or the worker log, and the other webhook is told once', async () => {
    const info = await useStack();
    const kc = stackKubeConfig(info);
    const namespace = await freshNamespace(kc, 'notify');
    const environment = `env-${namespace}`;
    const TOKEN_PATH = '/services/T0DEPLOY/B0FLOW/tokenXyZ0123456789secret';
    const good = new Receiver(200);
    const bad = new Receiver(500);
    const hooks = [await good.listen('/ok'), await bad.listen(TOKEN_PATH)];
    const logFile = path.join(repoRoot, 'test-results', `notify-token-${process.pid}.log`);
    // The worker's own process and log, as in production; webhooks from the environment, not argv.
    const worker = await WorkerProcess.start({
      environment, namespaces: [namespace], kubeconfig: info.kubeconfig, temporalAddress: info.temporalAddress, logFile,
      env: { DEPLOYFLOW_WEBHOOKS: hooks.join(',') },
    });
    const raw = await rawTemporalClient(info);
    try {
      const spec = { ...example, namespace, strategy: { ...example.strategy, minReadySeconds: 0 } };
      const handle = await startDeploy(client, { spec, environment, image: 'registry.example/awesome-api:1.0.0', requestedBy: 'notify-test' });
      assert.equal((await waitForResult(handle)).outcome, 'Succeeded');
      // The deploy awaits its last notification (4 attempts); `started` is fire-and-forget and may be cut short by the end.
      await new Promise((r) => setTimeout(r, 1000));
      const history = await rawHistory(raw, handle.workflowId, handle.firstExecutionRunId);
      assert.ok(bad.events().filter((e) => e === 'succeeded').length === 4, `the failing webhook got 4 attempts: ${bad.events().join(', ')}`);
      assert.deepEqual(good.events(), ['started', 'succeeded'], 'the good webhook was told once per event, despite the retries');
      const opened = await openedHistoryText(history, new AesGcmCodec(keyringFromEnv(process.env)!));
      assert.ok(opened.includes(`webhook delivery failed: 127.0.0.1:`), 'the failures are in history, opened with the keys');
      for (const text of [historyBytes(history), opened, fs.readFileSync(logFile, 'utf8')]) {
        assert.equal(text.includes('tokenXyZ0123456789secret'), false);
        assert.equal(text.includes('/services/T0DEPLOY'), false);
      }
    } finally {
      await worker.stop();
      await raw.connection.close();
      good.close();
      bad.close();
    }
  });
});
