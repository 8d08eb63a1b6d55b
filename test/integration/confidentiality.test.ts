// Confidentiality on the real stack (issue 14): a deploy with an inline env
// value and a secretKeyRef leaves neither the value nor the spec readable in
// Temporal's stored history; the RC's annotations repeat no inline value; the
// CLI (with the keys), `temporal workflow show --codec-endpoint` and the codec
// server read everything back; the codec server refuses callers without its
// token and browsers from other origins.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Client } from '@temporalio/client';
import type { temporal } from '@temporalio/proto';
import { startDeploy, startRedeploy, waitForResult } from '../../client/api.js';
import { AesGcmCodec } from '../../codec/aes-gcm-codec.js';
import { keyringFromEnv } from '../../codec/keys.js';
import type { AppSpec } from '../../domain/spec.js';
import { deployHarness, type DeployHarness } from '../helpers/deploys.js';
import { rawTemporalClient } from '../helpers/temporal.js';
import { historyBytes, openedHistoryText, rawHistory } from '../helpers/history.js';
import { listRcs } from '../helpers/cluster.js';
import { runCli } from '../helpers/cli.js';

const run = promisify(execFile);
const IMAGE = 'registry.example/awesome-api:1.0.0';

describe('confidentiality', () => {
  let h: DeployHarness;
  let raw: Client;
  let spec: AppSpec;
  let workflowId: string;
  let runId: string;
  const canary = `inline-canary-${crypto.randomBytes(6).toString('hex')}`;
  const codec = () => new AesGcmCodec(keyringFromEnv(process.env) ?? assert.fail('the stack sets DEPLOYFLOW_CODEC_KEYS'));

  before(async () => {
    h = await deployHarness('conf');
    raw = await rawTemporalClient(h.info);
    const base = h.spec();
    spec = h.spec({
      containers: base.containers.map((c) => ({
        ...c,
        env: { LOG_LEVEL: 'info', GREETING: canary, DB_PASSWORD: { secretKeyRef: { name: 'awesome-api-db', key: 'password' } } },
      })),
    });
    const started = await startDeploy(h.client, { spec, environment: h.environment, image: IMAGE, requestedBy: 'conf-test' });
    workflowId = started.workflowId;
    runId = started.firstExecutionRunId;
    assert.equal((await waitForResult(started)).outcome, 'Succeeded');
  });

  after(async () => {
    await raw?.connection.close();
    await h?.close();
  });

  test('the stored history holds neither the inline value nor the spec in clear', async () => {
    const history = await rawHistory(raw, workflowId, runId);
    const bytes = historyBytes(history);
    // The search can see clear text: ids and search attributes are stored in clear.
    assert.ok(bytes.includes(workflowId));
    assert.ok(bytes.includes('binary/encrypted'));
    for (const secret of [canary, 'awesome-api-db', 'DB_PASSWORD', 'LOG_LEVEL', 'readinessProbe', '/healthz', 'containerPort']) {
      assert.equal(bytes.includes(secret), false, `"${secret}" is readable in the stored history`);
    }
    // Failure messages travel inside payloads too (no clear message or stack in any failure).
    assert.equal(/"message":"[^E]/.test(JSON.stringify(history.toJSON())), false);
    // With the keys, all of it is there: the create activity's manifest carries the pod template.
    const opened = await openedHistoryText(history, codec());
    assert.ok(opened.includes(canary));
    assert.ok(opened.includes('awesome-api-db'));
  });

  test('the RC\'s annotations repeat no inline value; the pod template has it, and the reference as valueFrom', async () => {
    const [rc] = await listRcs(h.kc, h.namespace, spec.name);
    assert.ok(rc);
    assert.equal(JSON.stringify(rc.metadata?.annotations ?? {}).includes(canary), false);
    const env = rc.spec?.template?.spec?.containers?.[0]?.env ?? [];
    assert.equal(env.find((e) => e.name === 'GREETING')?.value, canary);
    const ref = env.find((e) => e.name === 'DB_PASSWORD')?.valueFrom?.secretKeyRef;
    assert.deepEqual([ref?.name, ref?.key], ['awesome-api-db', 'password']);
  });

  test('deployctl status and history, with the keys, show everything', async () => {
    const where = [spec.name, '--env', h.environment, '--namespace', h.namespace];
    const env = { TEMPORAL_ADDRESS: h.info.temporalAddress, TEMPORAL_NAMESPACE: 'default' };
    const status = await runCli(['status', ...where, '-o', 'json'], env);
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /Succeeded/);
    assert.ok(status.stdout.includes(IMAGE));
    const history = await runCli(['history', ...where], env);
    assert.equal(history.code, 0, history.stderr);
    assert.ok(history.stdout.includes(IMAGE) && history.stdout.includes('conf-test'), history.stdout);
    assert.equal(history.stderr.includes('no codec keys'), false);
  });

  test('a kept revision redeploys with its inline value, though no annotation holds it', async () => {
    assert.equal((await h.deploy('registry.example/awesome-api:2.0.0', spec)).outcome, 'Succeeded');
    const redeploy = await startRedeploy(h.client, { environment: h.environment, namespace: h.namespace, name: spec.name, revision: 1, requestedBy: 'conf-test' });
    assert.equal((await waitForResult(redeploy)).outcome, 'Succeeded');
    const serving = (await listRcs(h.kc, h.namespace, spec.name)).filter((rc) => (rc.spec?.replicas ?? 0) > 0);
    assert.equal(serving.length, 1);
    assert.equal(serving[0]?.spec?.template?.spec?.containers?.[0]?.image, IMAGE);
    assert.deepEqual(serving[0]?.spec?.template?.spec?.containers?.[0]?.env?.find((e) => e.name === 'GREETING')?.value, canary);
  });

  test('temporal workflow show: ciphertext without the codec endpoint, readable with it', async () => {
    const temporalCli = path.join(h.info.binDir, 'temporal');
    const show = ['workflow', 'show', '-w', workflowId, '-r', runId, '--address', h.info.temporalAddress, '--output', 'json'];
    // --output json prints payload data as base64: open every `data` field to search it.
    const payloadText = (json: string) => [...json.matchAll(/"data": "([A-Za-z0-9+/=]*)"/g)].map((m) => Buffer.from(m[1] ?? '', 'base64').toString('utf8')).join('\n');
    const plain = await run(temporalCli, show, { maxBuffer: 64 * 1024 * 1024 });
    assert.equal(payloadText(plain.stdout).includes(canary), false);
    assert.ok(plain.stdout.includes('YmluYXJ5L2VuY3J5cHRlZA=='), 'payloads shown as binary/encrypted');
    const decoded = await run(temporalCli, [...show, '--codec-endpoint', h.info.codecUrl, '--codec-auth', `Bearer ${h.info.state.codecToken}`], { maxBuffer: 64 * 1024 * 1024 });
    assert.ok(payloadText(decoded.stdout).includes(canary));
  });

  describe('the codec server', () => {
    let body: string;
    before(async () => {
      const history = await rawHistory(raw, workflowId, runId);
      const input = history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0] as temporal.api.common.v1.IPayload;
      const b64 = (b: Uint8Array | null | undefined) => Buffer.from(b ?? new Uint8Array()).toString('base64');
      body = JSON.stringify({ payloads: [{ metadata: Object.fromEntries(Object.entries(input.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(input.data) }] });
    });
    const post = (url: string, headers: Record<string, string> = {}) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-namespace': 'default', ...headers }, body });
    const bearer = () => ({ authorization: `Bearer ${h.info.state.codecToken}` });
    const decodedText = async (res: Response) => {
      const doc = (await res.json()) as { payloads: Array<{ data: string }> };
      return Buffer.from(doc.payloads[0]?.data ?? '', 'base64').toString('utf8');
    };

    test('decodes for a caller with the token: header, or in the path the UI uses', async () => {
      const withHeader = await post(`${h.info.codecUrl}/decode`, bearer());
      assert.equal(withHeader.status, 200);
      assert.ok((await decodedText(withHeader)).includes(canary));
      const fromUi = await post(`${h.info.codecUrl}/token/${h.info.state.codecToken}/decode`, { origin: h.info.uiUrl });
      assert.equal(fromUi.status, 200);
      assert.equal(fromUi.headers.get('access-control-allow-origin'), h.info.uiUrl);
      assert.ok((await decodedText(fromUi)).includes(canary));
    });

    test('refuses a request without its token, or with another one', async () => {
      for (const [url, headers] of [
        [`${h.info.codecUrl}/decode`, {}],
        [`${h.info.codecUrl}/decode`, { authorization: 'Bearer not-the-token-at-all' }],
        [`${h.info.codecUrl}/token/not-the-token-at-all/decode`, {}],
        [`${h.info.codecUrl}/encode`, {}],
      ] as const) {
        const res = await post(url, headers);
        assert.equal(res.status, 401, url);
        assert.equal(JSON.stringify(await res.json()).includes(canary), false);
      }
    });

    test('refuses a browser from another origin, preflight included, even with the token', async () => {
      const res = await post(`${h.info.codecUrl}/decode`, { ...bearer(), origin: 'http://evil.example' });
      assert.equal(res.status, 403);
      assert.equal(res.headers.get('access-control-allow-origin'), null);
      assert.equal(JSON.stringify(await res.json()).includes(canary), false);
      const preflight = (origin: string) =>
        fetch(`${h.info.codecUrl}/decode`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type,x-namespace' } });
      assert.equal((await preflight('http://evil.example')).status, 403);
      const ok = await preflight(h.info.uiUrl);
      assert.equal(ok.status, 204);
      assert.equal(ok.headers.get('access-control-allow-origin'), h.info.uiUrl);
      assert.match(ok.headers.get('access-control-allow-headers') ?? '', /X-Namespace/);
    });

    test('never logs its token', async () => {
      const log = await import('node:fs').then((fs) => fs.readFileSync(path.join(h.info.logDir, 'codec-server.log'), 'utf8'));
      assert.match(log, /POST \/token\/\*\*\*\/decode 200/);
      const token = h.info.state.codecToken;
      assert.ok(token, 'the dev stack has a codec token');
      assert.equal(log.includes(token), false);
    });
  });
});
