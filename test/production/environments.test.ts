// The production topology (stack/production.ts): Temporal server on PostgreSQL
// with JWT authorization, a namespace and a cluster per environment, a worker per
// environment holding only its own token and its own cluster's ServiceAccount.
// What one environment's credentials can and cannot do to the other.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Connection } from '@temporalio/client';
import { workflowIdFor } from '../../domain/names.js';
import { mintToken } from '../../stack/jwt.js';
import { productionFiles } from '../../stack/production-layout.js';
import { clusterState, type ProductionInfo } from '../../stack/production.js';
import { kubectl } from '../../stack/nodes.js';
import { runCli } from '../helpers/cli.js';
import { cluster, principalEnv, uniqueApp, useProductionStack, type ClusterHandle } from '../helpers/production-stack.js';

const { spec: SPEC, name: APP, app: APP_LABEL } = uniqueApp('environments');
const IMAGE = 'registry.example/awesome-api:1.0.0';

let info: ProductionInfo;
let staging: ClusterHandle;
let production: ClusterHandle;

before(async () => {
  info = await useProductionStack();
  staging = cluster(info, 'staging');
  production = cluster(info, 'production');
});

const rcsOf = async (c: ClusterHandle) =>
  (JSON.parse(await c.kubectl(['get', 'rc', '-n', 'default', '-l', `app=${APP_LABEL}`, '-o', 'json'])) as { items: { metadata: { annotations?: Record<string, string> } }[] }).items;
const secretOf = async (c: ClusterHandle) => Buffer.from(await c.kubectl(['get', 'secret', 'environment', '-n', 'default', '-o', 'jsonpath={.data.environment}']), 'base64').toString();

describe('production topology: one namespace, one cluster and one worker per environment', () => {
  test('a deploy to staging, then to production, each carried out by its own worker in its own cluster', async () => {
    for (const c of [staging, production]) c.audit.mark();
    const toStaging = await runCli(['deploy', '-f', SPEC, '--env', 'staging', '--image', IMAGE], principalEnv('ci-staging'));
    assert.equal(toStaging.code, 0, toStaging.stderr);
    assert.deepEqual(await rcsOf(production), [], 'nothing of staging reaches production');
    const toProduction = await runCli(['deploy', '-f', SPEC, '--env', 'production', '--image', IMAGE], principalEnv('ci-production'));
    assert.equal(toProduction.code, 0, toProduction.stderr);

    for (const c of [staging, production]) {
      const rcs = await rcsOf(c);
      assert.equal(rcs.length, 1, `${c.environment}: one RC of the app`);
      const ids = rcs.map((rc) => Object.entries(rc.metadata.annotations ?? {}).find(([k]) => k.endsWith('workflow-id'))?.[1]);
      assert.deepEqual(ids, [workflowIdFor(c.environment, 'default', APP)], `${c.environment}: made by its own environment's deploy`);
      assert.equal(await secretOf(c), c.environment, `${c.environment}: its own environment secret`);
      // Every deploy write in this cluster came from its worker's ServiceAccount, none from anyone else.
      const writers = new Set(c.audit.deployWritesSince().map((e) => e.user.username));
      assert.deepEqual([...writers], ['system:serviceaccount:default:deployflow-worker'], c.environment);
    }
  });

  test("ci-staging's token cannot start, update, signal or cancel a deploy in production (PermissionDenied, exit 4)", async () => {
    production.audit.mark();
    const ciStaging = principalEnv('ci-staging');

    const start = await runCli(['deploy', '-f', SPEC, '--env', 'production', '--image', 'registry.example/awesome-api:6.6.6'], ciStaging);
    assert.equal(start.code, 4, start.stderr);
    assert.match(start.stderr, /deployctl deploy: Temporal refused the request in namespace "production"/);
    assert.match(start.stderr, /PermissionDenied/);

    // An operator update on production's (finished) deploy: refused before the workflow sees it.
    const update = await runCli(['pause', APP, '--env', 'production', '--reason', 'from staging CI'], ciStaging);
    assert.equal(update.code, 4, update.stderr);
    assert.match(update.stderr, /namespace "production".*PermissionDenied/s);

    // Signal and cancel are not deployctl verbs: ask Temporal directly with the same token.
    const token = await mintToken(productionFiles().keys, 'ci-staging');
    const connection = await Connection.connect({ address: info.temporalAddress, apiKey: token, tls: false });
    try {
      const handle = new Client({ connection, namespace: 'production' }).workflow.getHandle(workflowIdFor('production', 'default', APP));
      for (const [what, call] of [
        ['signal', () => handle.signal('operator-note', 'hello')],
        ['cancel', () => handle.cancel()],
        ['describe', () => handle.describe()],
      ] as const) {
        await assert.rejects(call(), (err: Error) => /PERMISSION_DENIED|Request unauthorized/i.test(`${err.message} ${String(err.cause)}`), what);
      }
    } finally {
      await connection.close();
    }

    assert.deepEqual(production.audit.deployWritesSince(), [], 'no write in production');
    assert.deepEqual((await rcsOf(production)).length, 1, 'production still runs what it ran');
  });

  test("list and labels show what the caller's credentials can read and name the rest", async () => {
    const asStaging = await runCli(['list', '-o', 'json'], principalEnv('ci-staging'));
    assert.equal(asStaging.code, 0, asStaging.stderr);
    assert.deepEqual([...new Set(asStaging.json<{ environment: string }[]>().map((d) => d.environment))], ['staging']);
    assert.match(asStaging.stderr, /could not read environment production: .*PermissionDenied/);

    const asOperator = await runCli(['list', '-o', 'json'], principalEnv('operator'));
    assert.equal(asOperator.code, 0, asOperator.stderr);
    assert.deepEqual([...new Set(asOperator.json<{ environment: string }[]>().map((d) => d.environment))].sort(), ['production', 'staging']);
    assert.equal(asOperator.stderr, '');

    const labels = await runCli(['labels', '--app', APP_LABEL, '-o', 'json'], principalEnv('ci-production'));
    assert.equal(labels.code, 0, labels.stderr);
    const doc = labels.json<{ environments: { environment: string; rcs: unknown[] }[]; unreadable: { environment: string }[] }>();
    assert.deepEqual(doc.environments.map((e) => [e.environment, e.rcs.length]), [['production', 1]]);
    assert.deepEqual(doc.unreadable.map((u) => u.environment), ['staging']);
  });

  test("the Web UI shows only what the caller's token allows (it forwards the Authorization header)", async () => {
    const get = async (path: string, principal?: 'ci-staging') => {
      const headers: Record<string, string> = principal ? { authorization: `Bearer ${await mintToken(productionFiles().keys, principal)}` } : {};
      return (await fetch(`${info.uiUrl}${path}`, { headers })).status;
    };
    assert.equal(await get('/api/v1/namespaces/staging/workflows'), 403, 'no token, nothing');
    assert.equal(await get('/api/v1/namespaces/staging/workflows', 'ci-staging'), 200);
    assert.equal(await get('/api/v1/namespaces/production/workflows', 'ci-staging'), 403);
  });

  test("the staging worker's ServiceAccount token is refused by production's apiserver", async () => {
    production.audit.mark();
    const productionServer = `https://127.0.0.1:${clusterState('production')!.ports.apiserver}`;
    await assert.rejects(
      kubectl(info.state.binDir, staging.workerKubeconfig, ['--server', productionServer, 'get', 'secret', 'environment', '-n', 'default']),
      /Unauthorized|must be logged in/,
    );
    await assert.rejects(
      kubectl(info.state.binDir, staging.workerKubeconfig, ['--server', productionServer, 'create', 'secret', 'generic', 'x', '-n', 'default', '--from-literal=a=b']),
      /Unauthorized|must be logged in/,
    );
    const attempts = production.audit.deployWritesSince();
    assert.deepEqual(attempts.map((e) => [e.verb, e.responseStatus?.code]), [['create', 401]], 'the create reached production and was refused');
    assert.deepEqual(attempts.filter((e) => (e.responseStatus?.code ?? 200) < 400), [], 'no write in production');
    // In its own cluster the same token works (for what examples/rbac allows).
    assert.equal(Buffer.from(await kubectl(info.state.binDir, staging.workerKubeconfig, ['get', 'secret', 'environment', '-o', 'jsonpath={.data.environment}']), 'base64').toString(), 'staging');
  });
});
