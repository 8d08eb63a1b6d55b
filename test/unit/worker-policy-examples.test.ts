// The shipped worker policies: examples/policy.yaml (documented) and the in-cluster
// ConfigMap of examples/worker/ parse to the same policy, the example specs meet it
// or fail it for the reasons production would, and the policy file loader names
// the file and the field of each problem.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import { parseSpecText } from '../../client/spec-file.js';
import { DEFAULT_WORKER_POLICY, checkWorkerPolicy, type WorkerPolicy } from '../../domain/worker-policy.js';
import { renderPodTemplate, type AppSpec } from '../../domain/index.js';
import { WORKER_POLICY_ENV, loadWorkerPolicyFile, parseWorkerPolicyText, resolveWorkerPolicy } from '../../client/worker-policy-file.js';
import { issuesOf } from './spec-fixture.js';

const examples = new URL('../../examples/', import.meta.url);
const read = (file: string) => fs.readFileSync(new URL(file, examples), 'utf8');
const DIGEST = `@sha256:${'0123456789abcdef'.repeat(4)}`;

function check(spec: AppSpec, policy: WorkerPolicy, image: string) {
  const { template } = renderPodTemplate(spec, image);
  return checkWorkerPolicy({ namespace: spec.namespace, app: spec.name, perNode: spec.perNode, replicas: spec.replicas, template }, policy);
}

describe('examples/policy.yaml', () => {
  const policy = loadWorkerPolicyFile(new URL('policy.yaml', examples).pathname);

  test('parses, and is a production policy: digests, restricted, ceilings, own service accounts', () => {
    assert.equal(policy.images.requireDigest, true);
    assert.deepEqual(policy.images.repositories, ['registry.example/*']);
    assert.equal(policy.podSecurity, 'restricted');
    assert.deepEqual(policy.resources, { maxCpu: '4', maxMemory: '8Gi' });
    assert.deepEqual(policy.serviceAccounts, ['{app}']);
    assert.ok(policy.namespaces.deny.includes('deployflow'), "the worker's own namespace is denied");
  });

  test('documents every entry it sets, line by line', () => {
    const text = read('policy.yaml');
    for (const key of Object.keys(DEFAULT_WORKER_POLICY)) assert.match(text, new RegExp(`^${key}:`, 'm'), `${key} is in the file`);
    // Each top-level entry is preceded by a comment.
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (/^[a-zA-Z]+:/.test(line)) assert.match(lines[i - 1] ?? '', /^#/, `a comment above ${line}`);
    });
  });

  test('the in-cluster ConfigMap holds the same policy', () => {
    const docs = yaml.loadAll(fs.readFileSync(new URL('worker/config.yaml', examples), 'utf8')) as Array<{ metadata: { name: string }; data: Record<string, string> }>;
    const configMap = docs.find((d) => d?.metadata.name === 'deployflow-worker-policy');
    assert.ok(configMap?.data['policy.yaml']);
    assert.deepEqual(parseWorkerPolicyText(configMap.data['policy.yaml'], 'config.yaml'), policy);
  });

  test('the restricted example meets it, deployed by digest', () => {
    const spec = parseSpecText(read('awesome-api-restricted.yaml'));
    assert.deepEqual(check(spec, policy, DIGEST), []);
    assert.deepEqual(check(spec, policy, ':1.4.2').map((i) => i.policy), ['images.requireDigest']);
  });

  test('the seed example is refused, each refusal naming what production requires', () => {
    const spec = parseSpecText(read('awesome-api.yaml'));
    const entries = check(spec, policy, DIGEST).map((i) => `${i.field} (${i.policy})`);
    assert.deepEqual(entries, [
      'serviceAccountName (serviceAccounts)',
      'containers[0].resources.limits.cpu (resources.maxCpu)',
      'containers[0].resources.limits.memory (resources.maxMemory)',
      'containers[0].securityContext.allowPrivilegeEscalation (podSecurity)',
      'containers[0].securityContext.runAsNonRoot (podSecurity)',
      'containers[0].securityContext.seccompProfile.type (podSecurity)',
      'containers[0].securityContext.capabilities.drop (podSecurity)',
    ]);
  });

  test('every example spec meets the default policy (the demo and existing users keep working)', () => {
    for (const file of ['awesome-api.yaml', 'awesome-frontend.yaml', 'node-agent.yaml', 'awesome-api-restricted.yaml']) {
      const spec = parseSpecText(read(file), file);
      assert.deepEqual(check(spec, DEFAULT_WORKER_POLICY, ':1.0.0'), [], file);
    }
  });
});

describe('client/worker-policy-file.ts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'worker-policy-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  test('flag, then environment, then the default', () => {
    const a = write('a.yaml', 'podSecurity: restricted\n');
    const b = write('b.yaml', 'maxReplicas: 5\n');
    assert.equal(resolveWorkerPolicy(a, { [WORKER_POLICY_ENV]: b }).policy.podSecurity, 'restricted');
    assert.equal(resolveWorkerPolicy(undefined, { [WORKER_POLICY_ENV]: b }).policy.maxReplicas, 5);
    assert.deepEqual(resolveWorkerPolicy(undefined, {}), { policy: DEFAULT_WORKER_POLICY });
  });

  test('an empty file is the default policy', () => {
    assert.deepEqual(loadWorkerPolicyFile(write('empty.yaml', '# nothing yet\n')), DEFAULT_WORKER_POLICY);
  });

  test('problems name the file and the field', () => {
    const file = write('broken.yaml', 'podSecurity: privileged\nvolumes: { types: [hostPath] }\n');
    const issues = issuesOf(() => loadWorkerPolicyFile(file));
    assert.deepEqual(issues.map((i) => i.field), [`${file}:volumes.types[0]`, `${file}:podSecurity`]);
  });

  test('a missing file, broken YAML and an oversized file are refused', () => {
    assert.deepEqual(issuesOf(() => loadWorkerPolicyFile(path.join(dir, 'nope.yaml'))), [{ field: path.join(dir, 'nope.yaml'), rule: 'no such worker policy file' }]);
    assert.match(issuesOf(() => loadWorkerPolicyFile(write('bad.yaml', 'a: [')))[0]?.rule ?? '', /^is not valid YAML \(line \d+, column \d+\)/);
    assert.equal(issuesOf(() => loadWorkerPolicyFile(write('big.yaml', `# ${'x'.repeat(70 * 1024)}\n`)))[0]?.rule, 'must be at most 64 KiB');
  });
});
