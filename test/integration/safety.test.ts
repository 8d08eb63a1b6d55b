// Invariants I6 (a worker never writes to another environment's cluster) and
// I7 (bad input fails before any cluster write), on the real stack.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { core, freshNamespace } from '../helpers/cluster.js';
import { AuditLog } from '../helpers/audit.js';
import { createWorker } from '../../worker/run.js';
import { WrongClusterError } from '../../worker/preflight.js';
import { repoRoot } from '../../stack/layout.js';

function deployctl(args: string[], env: NodeJS.ProcessEnv) {
  return spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 60_000 });
}

/** The spec text without the top-level `key:` and the indented lines of its block. */
function withoutBlock(yamlText: string, key: string): string {
  const out: string[] = [];
  let skipping = false;
  for (const line of yamlText.split('\n')) {
    if (/^\S/.test(line)) skipping = line.startsWith(`${key}:`);
    if (!skipping) out.push(line);
  }
  return out.join('\n');
}

describe('safety on the local stack', () => {
  test('a staging worker refuses a cluster whose secret says production, and writes nothing (I6)', async () => {
    const info = await useStack();
    const kc = stackKubeConfig(info);
    const namespace = await freshNamespace(kc, 'i6');
    await core(kc).createNamespacedSecret({ namespace, body: { metadata: { name: 'environment' }, stringData: { environment: 'production' } } });
    const audit = new AuditLog(info).mark();

    await assert.rejects(
      createWorker({ environment: 'staging', kubeConfig: kc, namespaces: [namespace], temporal: { connectionOptions: { address: info.temporalAddress } } }),
      (err: unknown) => err instanceof WrongClusterError && /says "production".*"staging"/.test(err.message),
    );
    const cli = deployctl(['worker', '--env', 'staging', '--namespace', namespace], { KUBECONFIG: info.kubeconfig, TEMPORAL_ADDRESS: info.temporalAddress });
    assert.equal(cli.status, 1, cli.stderr);
    assert.match(cli.stderr, /refusing to start/);

    // Controllers write on their own in a new namespace (its kube-root-ca.crt); a deploy writes secrets and RCs.
    assert.deepEqual(audit.deployWritesSince().filter((e) => e.objectRef?.namespace === namespace), []);
    const secret = await core(kc).readNamespacedSecret({ name: 'environment', namespace });
    assert.equal(Buffer.from(secret.data!.environment!, 'base64').toString(), 'production');
  });

  const invalid: Array<[string, string, RegExp]> = [
    ['negative replicas', 'replicas: -1', /replicas: must be >= 0/],
    ['typo in a field', 'replica: 3', /replica: unknown field \(did you mean "replicas"\?\)/],
    ['port out of range', 'containers: [{ name: api, image: registry.example/awesome-api, ports: [{ containerPort: 70000 }] }]', /containers\[0\]\.ports\[0\]\.containerPort: must be 1-65535/],
    ['surge and unavailable both zero', 'strategy: { maxSurge: 0, maxUnavailable: 0 }', /maxSurge and maxUnavailable cannot both be 0/],
  ];
  for (const [name, override, message] of invalid) {
    test(`deployctl deploy with ${name}: exit 2, the field named, zero API writes (I7)`, async () => {
      const info = await useStack();
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-i7-'));
      const base = fs.readFileSync(path.join(repoRoot, 'examples', 'awesome-api.yaml'), 'utf8');
      const key = override.split(':')[0]!;
      const file = path.join(dir, 'app.yaml');
      fs.writeFileSync(file, withoutBlock(base, key) + `\n${override}\n`);
      const audit = new AuditLog(info).mark();
      const cli = deployctl(['deploy', '-f', file, '--env', 'i7', '--image', 'registry.example/awesome-api:1.0.0'], {
        TEMPORAL_ADDRESS: info.temporalAddress,
      });
      assert.equal(cli.status, 2, cli.stderr + cli.stdout);
      assert.match(cli.stderr, message);
      assert.deepEqual(audit.deployWritesSince(), []);
    });
  }
});
