// examples/worker/: the in-cluster worker's manifests, by structure. The
// Deployment runs `worker --env production` as the ServiceAccount the RBAC binds,
// with Temporal settings from the ConfigMap/Secret; the Role grants every call the
// activities make in an app namespace, and nothing cluster-wide but reading nodes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import yaml from 'js-yaml';

const dir = new URL('../../examples/worker/', import.meta.url);
const version = (JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
}
interface Doc {
  apiVersion: string;
  kind: string;
  metadata: Meta;
  [key: string]: unknown;
}
interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

function docs(file: string): Doc[] {
  return (yaml.loadAll(fs.readFileSync(new URL(file, dir), 'utf8')) as Doc[]).filter(Boolean);
}
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').flatMap((f) => docs(f).map((d) => ({ file: f, doc: d })));
const find = (kind: string, name?: string) => {
  const hit = all.find(({ doc }) => doc.kind === kind && (name === undefined || doc.metadata.name === name));
  assert.ok(hit, `${kind}${name ? ` ${name}` : ''} exists`);
  return hit.doc;
};

/** RBAC as the apiserver evaluates it, for the core API group. */
function allows(rules: Rule[], resource: string, verb: string, name?: string): boolean {
  return rules.some(
    (r) =>
      r.apiGroups.includes('') &&
      r.resources.includes(resource) &&
      r.verbs.includes(verb) &&
      (r.resourceNames === undefined || (name !== undefined && r.resourceNames.includes(name))),
  );
}

interface Container {
  name: string;
  image: string;
  args: string[];
  readinessProbe?: { exec?: { command: string[] } };
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  envFrom?: Array<{ configMapRef?: { name: string }; secretRef?: { name: string } }>;
  env?: Array<{ name: string; valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } } }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: Record<string, unknown>;
}
interface DeploymentSpec {
  replicas: number;
  strategy: { type: string; rollingUpdate: { maxSurge: number; maxUnavailable: number } };
  selector: { matchLabels: Record<string, string> };
  template: { metadata: Meta; spec: { serviceAccountName: string; automountServiceAccountToken?: boolean; containers: Container[] } };
}

describe('examples/worker: the Deployment', () => {
  const deployment = find('Deployment', 'deployflow-worker');
  const spec = deployment.spec as DeploymentSpec;
  const [container] = spec.template.spec.containers;

  test('one replica of the deployflow image running the production worker', () => {
    assert.equal(deployment.apiVersion, 'apps/v1');
    assert.equal(spec.replicas, 1);
    assert.equal(spec.template.spec.containers.length, 1);
    assert.match(container!.image, new RegExp(`/deployflow:${version.replace(/\./g, '\\.')}$`), 'the pinned deployflow image');
    assert.deepEqual(container!.args.slice(0, 3), ['worker', '--env', 'production']);
  });

  test('an upgrade overlaps the pods and stops the old one only once the new build is current', () => {
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
    const args = container!.args;
    assert.ok(!args.includes('--no-promote'), 'the new build promotes itself');
    const readyFile = args[args.indexOf('--ready-file') + 1] ?? '';
    assert.ok(args.includes('--ready-file') && readyFile.startsWith('/tmp/'), 'the ready file is on the writable /tmp');
    assert.ok(container!.volumeMounts?.some((m) => m.mountPath === '/tmp'));
    assert.deepEqual(container!.readinessProbe?.exec?.command, ['test', '-e', readyFile], 'Ready = its build is current');
  });

  test('its selector matches its pods', () => {
    for (const [k, v] of Object.entries(spec.selector.matchLabels)) assert.equal(spec.template.metadata.labels?.[k], v, k);
  });

  test('runs as the ServiceAccount, with its token mounted (in-cluster config)', () => {
    const sa = find('ServiceAccount');
    assert.equal(spec.template.spec.serviceAccountName, sa.metadata.name);
    assert.equal(sa.metadata.namespace, deployment.metadata.namespace);
    assert.notEqual(spec.template.spec.automountServiceAccountToken, false);
    assert.ok(!container!.args.includes('--kubeconfig'), 'no kubeconfig: the pod’s service account');
  });

  test('TEMPORAL_* come from the ConfigMap, the API key from an optional Secret', () => {
    const configMapName = container!.envFrom?.find((e) => e.configMapRef)?.configMapRef?.name;
    const configMap = find('ConfigMap', configMapName);
    assert.equal(configMap.metadata.namespace, deployment.metadata.namespace);
    const data = configMap.data as Record<string, string>;
    assert.match(data.TEMPORAL_ADDRESS ?? '', /^[a-z0-9.-]+:\d+$/);
    assert.ok(data.TEMPORAL_NAMESPACE);
    for (const key of Object.keys(data)) assert.match(key, /^TEMPORAL_/);
    const apiKey = container!.env?.find((e) => e.name === 'TEMPORAL_API_KEY')?.valueFrom?.secretKeyRef;
    assert.deepEqual(apiKey, { name: 'deployflow-temporal', key: 'TEMPORAL_API_KEY', optional: true });
  });

  test('hardened: non-root, no privilege escalation, read-only root, memory limit', () => {
    const pod = (deployment.spec as { template: { spec: { securityContext?: { runAsNonRoot?: boolean } } } }).template.spec;
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(container!.securityContext?.allowPrivilegeEscalation, false);
    assert.equal(container!.securityContext?.readOnlyRootFilesystem, true);
    assert.ok(container!.resources?.limits?.memory);
  });

  test('runs with the worker policy of the ConfigMap it mounts', () => {
    const args = container!.args;
    const file = args[args.indexOf('--policy') + 1] ?? '';
    assert.ok(args.includes('--policy') && file.endsWith('/policy.yaml'), 'started with --policy');
    const pod = spec.template.spec as unknown as {
      volumes: Array<{ name: string; configMap?: { name: string } }>;
      containers: Array<{ volumeMounts: Array<{ name: string; mountPath: string; readOnly?: boolean }> }>;
    };
    const mount = pod.containers[0]!.volumeMounts.find((m) => file === `${m.mountPath}/policy.yaml`);
    assert.ok(mount, `a volume mounted where ${file} is`);
    assert.equal(mount.readOnly, true);
    const configMapName = pod.volumes.find((v) => v.name === mount.name)?.configMap?.name;
    const configMap = find('ConfigMap', configMapName);
    assert.equal(configMap.metadata.namespace, deployment.metadata.namespace);
    assert.ok((configMap.data as Record<string, string>)['policy.yaml'], 'the ConfigMap holds policy.yaml');
  });

  test('every app namespace it checks at start has the RBAC it needs', () => {
    const args = container!.args;
    const namespaces = args.flatMap((a, i) => (a === '--namespace' ? [args[i + 1]!] : []));
    const bound = all.filter(({ doc }) => doc.kind === 'RoleBinding').map(({ doc }) => doc.metadata.namespace);
    assert.ok(namespaces.length > 0);
    for (const ns of namespaces) assert.ok(bound.includes(ns), `a RoleBinding in ${ns}`);
  });
});

describe('examples/worker: RBAC', () => {
  const role = find('Role', 'deployflow-worker');
  const rules = role.rules as Rule[];

  // Every cluster call of activities/ (and the worker's start-up check), as resource + verb.
  const needed: Array<[resource: string, verb: string, name?: string]> = [
    ['secrets', 'get', 'environment'],
    ['secrets', 'create'],
    ['replicationcontrollers', 'list'],
    ['replicationcontrollers', 'get'],
    ['replicationcontrollers', 'create'],
    ['replicationcontrollers', 'delete'],
    ['replicationcontrollers/scale', 'update'],
    ['pods', 'list'],
    ['pods', 'watch'],
    ['pods', 'delete'],
  ];
  for (const [resource, verb, name] of needed) {
    test(`allows ${verb} ${resource}${name ? `/${name}` : ''}`, () => assert.ok(allows(rules, resource, verb, name)));
  }

  const refused: Array<[string, string, string?]> = [
    ['secrets', 'get', 'database-password'],
    ['secrets', 'list'],
    ['secrets', 'update', 'environment'],
    ['secrets', 'delete', 'environment'],
    ['replicationcontrollers', 'update'],
    ['replicationcontrollers', 'patch'],
    ['pods', 'create'],
    ['pods', 'deletecollection'],
    ['pods/exec', 'create'],
    ['configmaps', 'get'],
  ];
  for (const [resource, verb, name] of refused) {
    test(`refuses ${verb} ${resource}${name ? `/${name}` : ''}`, () => assert.ok(!allows(rules, resource, verb, name)));
  }

  test('the RoleBinding binds that Role to the worker’s ServiceAccount, in the Role’s namespace', () => {
    const binding = find('RoleBinding', 'deployflow-worker');
    const sa = find('ServiceAccount');
    assert.equal(binding.metadata.namespace, role.metadata.namespace);
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: sa.metadata.name, namespace: sa.metadata.namespace }]);
  });

  test('cluster-wide, it may only list nodes (per-node agents)', () => {
    const clusterRoles = all.filter(({ doc }) => doc.kind === 'ClusterRole').map(({ doc }) => doc);
    assert.equal(clusterRoles.length, 1);
    assert.deepEqual(clusterRoles[0]!.rules, [{ apiGroups: [''], resources: ['nodes'], verbs: ['list'] }]);
    const binding = find('ClusterRoleBinding');
    assert.equal((binding.roleRef as { name: string }).name, clusterRoles[0]!.metadata.name);
  });

  test('kustomization.yaml lists every manifest of the folder', () => {
    const kustomization = yaml.load(fs.readFileSync(new URL('kustomization.yaml', dir), 'utf8')) as { resources: string[] };
    assert.deepEqual([...kustomization.resources].sort(), [...new Set(all.map((a) => a.file))].sort());
  });
});
