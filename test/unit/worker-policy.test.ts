// The worker's own policy: its file's validation, and checkWorkerPolicy on pod
// templates as render writes them and as a rogue caller could send them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEFAULT_WORKER_POLICY, checkNamespace, checkWorkerPolicy, parseWorkerPolicy, policyWarnings, type PolicyIssue, type PolicySubject,
  type WorkerPolicy,
} from '../../domain/worker-policy.js';
import { describeIssue, renderPodTemplate, validateAppSpec } from '../../domain/index.js';
import { REMOVE, assertIssues, edit, issuesOf, sampleRaw, type ExpectedIssue, type Raw } from './spec-fixture.js';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** The pod template render writes for the sample spec (with `changes` applied to the spec). */
function rendered(changes: Record<string, unknown> = {}, image = ':1.4.2'): Raw {
  return structuredClone(renderPodTemplate(validateAppSpec(edit(sampleRaw(), changes)), image).template) as unknown as Raw;
}

function subject(template: unknown, over: Partial<PolicySubject> = {}): PolicySubject {
  return { namespace: 'default', app: 'awesome-api', perNode: false, replicas: 3, template, ...over };
}

function policy(raw: Record<string, unknown> = {}): WorkerPolicy {
  return parseWorkerPolicy(raw);
}

type PolicyExpectation = readonly [field: string, rule: string | RegExp, entry: string];

function assertPolicyIssues(actual: PolicyIssue[], expected: readonly PolicyExpectation[], context: string): void {
  assertIssues(actual, expected.map(([f, r]): ExpectedIssue => [f, r]), context);
  expected.forEach(([, , entry], i) => assert.equal(actual[i]?.policy, entry, `${context}: issue ${i} policy entry`));
}

describe('parseWorkerPolicy', () => {
  test('no file (or an empty one) is the default policy', () => {
    assert.deepEqual(parseWorkerPolicy(undefined), DEFAULT_WORKER_POLICY);
    assert.deepEqual(parseWorkerPolicy(null), DEFAULT_WORKER_POLICY);
    assert.deepEqual(parseWorkerPolicy({}), DEFAULT_WORKER_POLICY);
    assert.notEqual(parseWorkerPolicy(undefined), DEFAULT_WORKER_POLICY, 'a copy: nobody can edit the default through it');
  });

  test('fills what a file leaves out from the defaults', () => {
    const p = policy({ namespaces: { allow: ['shop-*'] }, images: { requireDigest: true }, resources: { maxCpu: '2' }, podSecurity: 'restricted' });
    assert.deepEqual(p.namespaces, { allow: ['shop-*'], deny: ['kube-*'] });
    assert.deepEqual(p.images, { repositories: ['*'], requireDigest: true });
    assert.deepEqual(p.resources, { maxCpu: '2' });
    assert.equal(p.podSecurity, 'restricted');
    assert.deepEqual(p.volumes, DEFAULT_WORKER_POLICY.volumes);
  });

  test('reads numbers as quantities (YAML `maxCpu: 2`)', () => {
    assert.deepEqual(policy({ resources: { maxCpu: 2, maxMemory: '4Gi' } }).resources, { maxCpu: '2', maxMemory: '4Gi' });
  });

  const refused: Array<[string, unknown, ExpectedIssue[]]> = [
    ['not a mapping', ['x'], [['policy', /^must be a mapping with namespaces, images/]]],
    ['an unknown key, with a hint', { namespace: { allow: ['a'] } }, [['namespace', 'unknown field (did you mean "namespaces"?)']]],
    ['an unknown key, without one', { colour: 'blue' }, [['colour', 'unknown field']]],
    ['an unknown key inside a section', { images: { repositores: ['x'] } }, [['images.repositores', 'unknown field (did you mean "repositories"?)']]],
    ['a section that is not a mapping', { images: ['x'] }, [['images', 'must be a mapping with repositories, requireDigest']]],
    ['patterns that are not a list', { namespaces: { allow: 'team-a' } }, [['namespaces.allow', 'must be a list of patterns']]],
    ['no allowed namespace at all', { namespaces: { allow: [] } }, [['namespaces.allow', /^must list at least one pattern/]]],
    ['no allowed repository at all', { images: { repositories: [] } }, [['images.repositories', /^must list at least one pattern/]]],
    ['no service account at all', { serviceAccounts: [] }, [['serviceAccounts', /^must list at least one pattern/]]],
    ['a pattern that is not a string', { namespaces: { allow: ['a', 3] } }, [['namespaces.allow[1]', 'must be a non-empty string']]],
    ['a regular expression for a glob', { images: { repositories: ['registry\\.example/(api|web)'] } }, [['images.repositories[0]', /^must be a name with \* as a wildcard, \{app\} for the app's name/]]],
    ['{app} in a namespace', { namespaces: { allow: ['{app}'] } }, [['namespaces.allow[0]', /^must be a name with \* as a wildcard \(no other pattern syntax\)/]]],
    ['an unknown placeholder', { references: { secrets: ['{team}-*'] } }, [['references.secrets[0]', /^must be a name with \* as a wildcard/]]],
    ['a huge pattern', { serviceAccounts: ['a'.repeat(254)] }, [['serviceAccounts[0]', 'must be at most 253 characters']]],
    ['requireDigest not a boolean', { images: { requireDigest: 'yes' } }, [['images.requireDigest', 'must be true or false']]],
    ['hostPath allowed', { volumes: { types: ['emptyDir', 'hostPath'] } }, [['volumes.types[1]', /^is never allowed/]]],
    ['gitRepo allowed', { volumes: { types: ['gitRepo'] } }, [['volumes.types[0]', /^is never allowed/]]],
    ['flexVolume allowed', { volumes: { types: ['flexVolume'] } }, [['volumes.types[0]', /^is never allowed/]]],
    ['a made-up volume type', { volumes: { types: ['emptydir'] } }, [['volumes.types[0]', /^must be a Kubernetes volume type/]]],
    ['a ceiling that is no quantity', { resources: { maxCpu: 'two' } }, [['resources.maxCpu', /^must be a Kubernetes quantity/]]],
    ['a zero ceiling', { resources: { maxMemory: '0Mi' } }, [['resources.maxMemory', 'must be more than 0']]],
    ['maxReplicas not an integer', { maxReplicas: 2.5 }, [['maxReplicas', 'must be an integer']]],
    ['maxReplicas out of range', { maxReplicas: 0 }, [['maxReplicas', 'must be 1-10000']]],
    ['podSecurity privileged', { podSecurity: 'privileged' }, [['podSecurity', /^must be baseline or restricted: this worker never writes privileged pods/]]],
    ['podSecurity misspelt', { podSecurity: 'strict' }, [['podSecurity', 'must be one of baseline, restricted']]],
    ['inlineCredentials misspelt', { inlineCredentials: 'allow' }, [['inlineCredentials', 'must be one of refuse, warn']]],
  ];
  for (const [what, raw, expected] of refused) test(`refuses ${what}`, () => assertIssues(issuesOf(() => parseWorkerPolicy(raw)), expected, what));

  test('every problem at once', () => {
    const issues = issuesOf(() => parseWorkerPolicy({ maxReplica: 3, images: { repositories: [] }, volumes: { types: ['hostPath'] }, podSecurity: 'x' }));
    assert.deepEqual(issues.map((i) => i.field), ['maxReplica', 'images.repositories', 'volumes.types[0]', 'podSecurity']);
  });

  test('a YAML bomb is measured, not expanded', () => {
    let node: unknown = ['x'];
    for (let i = 0; i < 40; i++) node = [node, node];
    const issues = issuesOf(() => parseWorkerPolicy({ serviceAccounts: node }));
    assert.equal(issues.length, 1);
    assert.match(issues[0]?.field ?? '', /^serviceAccounts(\[0\])+$/);
    assert.match(issues[0]?.rule ?? '', /^is too large: expands to more than 512 KiB/);
  });
});

describe('checkNamespace', () => {
  const p = policy({ namespaces: { allow: ['shop-*', 'default'], deny: ['shop-secrets'] } });
  const cases: Array<[string, WorkerPolicy, RegExp | undefined]> = [
    ['shop-api', p, undefined],
    ['default', p, undefined],
    ['shop-secrets', p, /^is denied to this worker \(denied: shop-secrets\)$/],
    ['payments', p, /^is not a namespace this worker deploys into \(allowed: shop-\*, default\)$/],
    ['kube-system', DEFAULT_WORKER_POLICY, /^is reserved for the cluster itself/],
    ['kube-public', policy({ namespaces: { allow: ['*'], deny: [] } }), /^is reserved for the cluster itself/],
    ['team-a', DEFAULT_WORKER_POLICY, undefined],
    ['', DEFAULT_WORKER_POLICY, /^must be a namespace name$/],
  ];
  for (const [namespace, pol, rule] of cases) {
    test(`${namespace || '(empty)'} -> ${rule ? 'refused' : 'allowed'}`, () => {
      const issue = checkNamespace(namespace, pol);
      if (!rule) return assert.equal(issue, undefined);
      assert.ok(issue);
      assert.equal(issue.field, 'namespace');
      assert.equal(issue.policy, 'namespaces');
      assert.match(issue.rule, rule);
    });
  }

  test('a namespace that is not a string is refused', () => {
    assert.equal(checkNamespace(42 as unknown as string, DEFAULT_WORKER_POLICY)?.policy, 'namespaces');
  });
});

describe('checkWorkerPolicy: rendered specs', () => {
  test('the sample spec, rendered, passes the default policy', () => {
    assert.deepEqual(checkWorkerPolicy(subject(rendered()), DEFAULT_WORKER_POLICY), []);
  });

  const prod = policy({
    namespaces: { allow: ['shop-*'] },
    images: { repositories: ['registry.example/*'], requireDigest: true },
    references: { secrets: ['{app}-*'], configMaps: ['{app}', 'shared-ca'] },
    serviceAccounts: ['{app}'],
    resources: { maxCpu: '2', maxMemory: '1Gi' },
    maxReplicas: 20,
    podSecurity: 'restricted',
  });
  // A function: edit() puts these objects into the spec it builds, and later paths write into them.
  const restrictedSpec = () => ({
    serviceAccountName: 'awesome-api',
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    'containers[0].securityContext': { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    'containers[0].resources': { requests: { cpu: '500m', memory: '256Mi' }, limits: { cpu: '2', memory: '1Gi' } },
  });

  const rows: Array<[what: string, specChanges: Record<string, unknown>, over: Partial<PolicySubject>, expected: PolicyExpectation[]]> = [
    ['a spec that meets the production policy', {}, {}, []],
    ['a namespace outside the policy', {}, { namespace: 'default' }, [['namespace', /^is not a namespace this worker deploys into/, 'namespaces']]],
    ['too many replicas', {}, { replicas: 21 }, [['replicas', 'must be at most 20', 'maxReplicas']]],
    ['an image from another registry', { 'containers[0].image': 'docker.io/evil/miner' }, {}, [
      ['containers[0].image', /^must come from an allowed repository \(registry\.example\/\*\); docker\.io\/evil\/miner is not one$/, 'images.repositories'],
    ]],
    ['a CPU limit above the ceiling', { 'containers[0].resources.limits.cpu': '2001m' }, {}, [
      ['containers[0].resources.limits.cpu', "must be at most 2 (this worker's CPU ceiling per container)", 'resources.maxCpu'],
    ]],
    ['a memory request above the ceiling, written in another unit', { 'containers[0].resources.requests.memory': '1.1G' }, {}, [
      ['containers[0].resources.requests.memory', /^must be at most 1Gi/, 'resources.maxMemory'],
    ]],
    ['the same amount written another way', { 'containers[0].resources.limits': { cpu: '2000m', memory: '1073741824' } }, {}, []],
    ['no limits (so no ceiling)', { 'containers[0].resources.limits': REMOVE }, {}, [
      ['containers[0].resources.limits.cpu', 'is required: this worker caps CPU at 2 per container', 'resources.maxCpu'],
      ['containers[0].resources.limits.memory', 'is required: this worker caps memory at 1Gi per container', 'resources.maxMemory'],
    ]],
    ['a limit that is no quantity', { 'containers[0].resources.limits.cpu': 'lots' }, {}, [['containers[0].resources.limits.cpu', /^must be a Kubernetes quantity/, 'resources.maxCpu']]],
    ['another service account', { serviceAccountName: 'admin' }, {}, [['serviceAccountName', 'must be a service account this worker allows (awesome-api)', 'serviceAccounts']]],
    ['no service account (default)', { serviceAccountName: REMOVE }, {}, [['serviceAccountName', /^must be a service account this worker allows \(awesome-api\); unset means default$/, 'serviceAccounts']]],
    ['a secret volume of the app', { volumes: [{ name: 'db', secret: { secretName: 'awesome-api-db' } }] }, {}, []],
    ["another team's secret", { volumes: [{ name: 'db', secret: { secretName: 'payments-db' } }] }, {}, [
      ['volumes[0].secret.secretName', 'must name a secret this app may use (environment, awesome-api-*)', 'references.secrets'],
    ]],
    ['an allowed shared configMap', { volumes: [{ name: 'ca', configMap: { name: 'shared-ca' } }] }, {}, []],
    ['a configMap of another app', { volumes: [{ name: 'c', configMap: { name: 'payments' } }] }, {}, [
      ['volumes[0].configMap.name', 'must name a configMap this app may use (awesome-api, shared-ca)', 'references.configMaps'],
    ]],
    ['a projected volume of secrets and configMaps', { volumes: [{ name: 'p', projected: { sources: [{ secret: { name: 'awesome-api-x' } }, { secret: { name: 'root-ca-key' } }, { configMap: { name: 'other' } }, { downwardAPI: { items: [] } }] } }] }, {}, [
      ['volumes[0].projected.sources[1].secret.name', /^must name a secret this app may use/, 'references.secrets'],
      ['volumes[0].projected.sources[2].configMap.name', /^must name a configMap this app may use/, 'references.configMaps'],
    ]],
    ['a volume type outside the policy (and restricted)', { volumes: [{ name: 'n', nfs: { server: 'x', path: '/' } }] }, {}, [
      ['volumes[0].nfs', /^must be one of the volume types this worker allows \(configMap, secret, emptyDir/, 'volumes.types'],
      ['volumes[0].nfs', /restricted: volume types/, 'podSecurity'],
    ]],
    ['a restricted control missing', { 'containers[0].securityContext.allowPrivilegeEscalation': REMOVE }, {}, [
      ['containers[0].securityContext.allowPrivilegeEscalation', /restricted: privilege escalation/, 'podSecurity'],
    ]],
    ['a tag instead of a digest', {}, {}, []],
  ];
  for (const [what, specChanges, over, expected] of rows) {
    test(what, () => {
      const image = what === 'a tag instead of a digest' ? ':1.4.2' : `@${DIGEST}`;
      const template = rendered({ ...restrictedSpec(), ...specChanges }, image);
      const issues = checkWorkerPolicy(subject(template, { namespace: 'shop-api', replicas: 3, ...over }), prod);
      const tagRow: PolicyExpectation[] = [['containers[0].image', 'must be pinned by digest (@sha256:…), not by tag alone', 'images.requireDigest']];
      assertPolicyIssues(issues, what === 'a tag instead of a digest' ? tagRow : expected, what);
    });
  }

  test('a per-node agent may use a host port; another app may not', () => {
    const raw = { perNode: true, 'containers[0].ports[0].hostPort': 9100, strategy: { maxSurge: 0, maxUnavailable: 1 } };
    const template = rendered(raw);
    assert.deepEqual(checkWorkerPolicy(subject(template, { perNode: true }), DEFAULT_WORKER_POLICY), []);
    assertPolicyIssues(checkWorkerPolicy(subject(template, { perNode: false }), DEFAULT_WORKER_POLICY), [
      ['containers[0].ports[0].hostPort', /host ports are for per-node agents/, 'podSecurity'],
    ], 'not perNode');
  });

  test('refusals print as "field: rule (policy entry)"', () => {
    const issues = checkWorkerPolicy(subject(rendered(), { namespace: 'kube-system' }), DEFAULT_WORKER_POLICY);
    assert.deepEqual(issues.map(describeIssue), ['namespace: is reserved for the cluster itself (kube-*): this worker never deploys there (policy namespaces)']);
  });
});

describe('checkWorkerPolicy: crafted templates (what a rogue caller sends)', () => {
  const t = (changes: Record<string, unknown>) => edit(rendered(), changes);
  const rows: Array<[what: string, template: unknown, expected: PolicyExpectation[]]> = [
    ['hostNetwork, hostPID, hostIPC', t({ 'spec.hostNetwork': true, 'spec.hostPID': true, 'spec.hostIPC': true }), [
      ['hostNetwork', /host namespaces/, 'podSecurity'], ['hostPID', /host namespaces/, 'podSecurity'], ['hostIPC', /host namespaces/, 'podSecurity'],
    ]],
    ['a privileged container', t({ 'spec.containers[0].securityContext.privileged': true }), [['containers[0].securityContext.privileged', /privileged containers/, 'podSecurity']]],
    ['an added capability', t({ 'spec.containers[0].securityContext.capabilities.add': ['SYS_ADMIN'] }), [['containers[0].securityContext.capabilities.add[0]', /capabilities/, 'podSecurity']]],
    ['/ mounted from the node', t({ 'spec.volumes[1]': { name: 'root', hostPath: { path: '/' } } }), [
      ['volumes[1].hostPath', /^must be one of the volume types this worker allows/, 'volumes.types'],
      ['volumes[1].hostPath', /hostPath volumes/, 'podSecurity'],
    ]],
    ['a gitRepo volume', t({ 'spec.volumes[1]': { name: 'g', gitRepo: { repository: 'https://x' } } }), [['volumes[1].gitRepo', /volume types this worker allows/, 'volumes.types']]],
    ['a flexVolume with a secret', t({ 'spec.volumes[1]': { name: 'f', flexVolume: { driver: 'x', secretRef: { name: 'kube-admin' } } } }), [
      ['volumes[1].flexVolume', /volume types this worker allows/, 'volumes.types'],
      ['volumes[1].flexVolume.secretRef.name', /^must name a secret this app may use \(environment, awesome-api, awesome-api-\*\)$/, 'references.secrets'],
    ]],
    ['a secret volume of another team', t({ 'spec.volumes[1]': { name: 's', secret: { secretName: 'payments-db' } } }), [['volumes[1].secret.secretName', /must name a secret/, 'references.secrets']]],
    ['env from another secret', t({ 'spec.containers[0].env[1]': { name: 'DB', valueFrom: { secretKeyRef: { name: 'payments-db', key: 'password' } } } }), [
      ['containers[0].env.DB.valueFrom.secretKeyRef.name', /must name a secret/, 'references.secrets'],
    ]],
    ['env from another configMap', t({ 'spec.containers[0].env[1]': { name: 'X', valueFrom: { configMapKeyRef: { name: 'kube-root-ca.crt', key: 'ca.crt' } } } }), [
      ['containers[0].env.X.valueFrom.configMapKeyRef.name', /must name a configMap/, 'references.configMaps'],
    ]],
    ['envFrom a secret and a configMap', t({ 'spec.containers[0].envFrom': [{ secretRef: { name: 'payments-db' } }, { configMapRef: { name: 'awesome-api-cfg' } }, { configMapRef: { name: 'x' } }] }), [
      ['containers[0].envFrom[0].secretRef.name', /must name a secret/, 'references.secrets'],
      ['containers[0].envFrom[2].configMapRef.name', /must name a configMap/, 'references.configMaps'],
    ]],
    ['an image pull secret of another team', t({ 'spec.imagePullSecrets': [{ name: 'awesome-api-pull' }, { name: 'payments-pull' }] }), [
      ['imagePullSecrets[1].name', /must name a secret/, 'references.secrets'],
    ]],
    ['a secret name that is not a string', t({ 'spec.volumes[1]': { name: 's', secret: { secretName: ['environment'] } } }), [['volumes[1].secret.secretName', /must name a secret/, 'references.secrets']]],
    ['another service account', t({ 'spec.serviceAccountName': 'cluster-admin' }), [['serviceAccountName', /^must be a service account this worker allows \(default, awesome-api\)$/, 'serviceAccounts']]],
    ['the deprecated serviceAccount field', t({ 'spec.serviceAccount': 'cluster-admin' }), [['serviceAccount', /must be a service account/, 'serviceAccounts']]],
    ['a probe to the cloud metadata service', t({ 'spec.containers[0].readinessProbe.httpGet.host': '169.254.169.254' }), [['containers[0].readinessProbe.httpGet.host', /host probes/, 'podSecurity']]],
    ['a host port without perNode', t({ 'spec.containers[0].ports[0].hostPort': 22 }), [['containers[0].ports[0].hostPort', /host ports/, 'podSecurity']]],
    ['an unsafe sysctl', t({ 'spec.securityContext': { sysctls: [{ name: 'kernel.core_pattern', value: '|/x' }] } }), [['securityContext.sysctls[0].name', /sysctls/, 'podSecurity']]],
    ['an image that is no reference', t({ 'spec.containers[0].image': 'UPPER CASE' }), [['containers[0].image', /^must be a valid image repository/, 'images.repositories']]],
    ['an image that is not a string', t({ 'spec.containers[0].image': { repository: 'x' } }), [['containers[0].image', 'must be an image reference', 'images.repositories']]],
    ['a privileged init container from an odd image', t({ 'spec.initContainers': [{ name: 'i', image: 'busybox', securityContext: { privileged: true } }] }), [
      ['initContainers[0].securityContext.privileged', /privileged containers/, 'podSecurity'],
    ]],
    ['a credential inline', t({ 'spec.containers[0].env[1]': { name: 'DB_PASSWORD', value: 'hunter2' } }), [['containers[0].env.DB_PASSWORD', /^must not hold a credential inline/, 'inlineCredentials']]],
    ['an empty credential value', t({ 'spec.containers[0].env[1]': { name: 'API_TOKEN', value: '' } }), []],
    ['credentials by their last word', t({ 'spec.containers[0].env': ['GITHUB_TOKEN', 'AWS_SECRET_ACCESS_KEY', 'client_secret', 'PASSWORD', 'STRIPE_APIKEY', 'GOOGLE_CREDENTIALS'].map((name) => ({ name, value: 'x' })) }), [
      ['containers[0].env.GITHUB_TOKEN', /inline/, 'inlineCredentials'],
      ['containers[0].env.AWS_SECRET_ACCESS_KEY', /inline/, 'inlineCredentials'],
      ['containers[0].env.client_secret', /inline/, 'inlineCredentials'],
      ['containers[0].env.PASSWORD', /inline/, 'inlineCredentials'],
      ['containers[0].env.STRIPE_APIKEY', /inline/, 'inlineCredentials'],
      ['containers[0].env.GOOGLE_CREDENTIALS', /inline/, 'inlineCredentials'],
    ]],
    ['names that only mention a credential word', t({ 'spec.containers[0].env': ['SECRETS_DIR', 'TOKEN_URL', 'DB_PASSWORD_FILE', 'KEYCLOAK_REALM', 'PASSWORDLESS'].map((name) => ({ name, value: 'x' })) }), []],
    ['no containers', t({ 'spec.containers': [] }), [['containers', 'must have at least one container', 'template']]],
    ['containers that are not a list', t({ 'spec.containers': { api: {} } }), [['containers', 'must be a list', 'template'], ['containers', 'must have at least one container', 'template']]],
    ['a container that is not a mapping', t({ 'spec.containers[1]': 'x' }), [['containers[1]', 'must be a mapping', 'template']]],
    ['a volume that is not a mapping', t({ 'spec.volumes[1]': 7 }), [['volumes[1]', 'must be a mapping', 'volumes.types']]],
    ['a template without spec', { metadata: {} }, [['template', 'must be a pod template (a mapping with a spec)', 'template']]],
    ['not a template at all', 'rm -rf /', [['template', 'must be a pod template (a mapping with a spec)', 'template']]],
    ['nothing', undefined, [['template', 'must be a pod template (a mapping with a spec)', 'template']]],
  ];
  for (const [what, template, expected] of rows) {
    test(what, () => assertPolicyIssues(checkWorkerPolicy(subject(template), DEFAULT_WORKER_POLICY), expected, what));
  }

  test('a template that refers to itself or explodes is measured, not walked', () => {
    const loop: Raw = { spec: { containers: [] } };
    (loop.spec as Raw).containers = [loop];
    assertPolicyIssues(checkWorkerPolicy(subject(loop), DEFAULT_WORKER_POLICY), [['spec.containers[0]', /must not refer to itself/, 'template']], 'loop');
    let bomb: unknown = [{ name: 'x', image: 'x' }];
    for (let i = 0; i < 40; i++) bomb = [bomb, bomb];
    const issues = checkWorkerPolicy(subject({ spec: { containers: bomb } }), DEFAULT_WORKER_POLICY);
    assert.equal(issues.length, 1);
    assert.equal(issues[0]?.policy, 'template');
  });

  test('a malformed subject is refused, not thrown on', () => {
    const issues = checkWorkerPolicy({ namespace: 7, app: null, replicas: '3', perNode: 'yes', template: rendered() } as unknown as PolicySubject, DEFAULT_WORKER_POLICY);
    assert.deepEqual(issues.map((i) => [i.field, i.policy]), [['namespace', 'namespaces'], ['replicas', 'maxReplicas']]);
  });

  test('inline credentials: refused by default, only warned about under `warn`', () => {
    const template = t({ 'spec.containers[0].env[1]': { name: 'STRIPE_API_KEY', value: 'sk_live_x' } });
    const warn = policy({ inlineCredentials: 'warn' });
    assert.deepEqual(checkWorkerPolicy(subject(template), warn), []);
    assert.deepEqual(policyWarnings(subject(template), warn).map((i) => i.field), ['containers[0].env.STRIPE_API_KEY']);
    assert.deepEqual(policyWarnings(subject(template), DEFAULT_WORKER_POLICY), []);
  });

  test('every refusal at once, each naming its policy entry', () => {
    const template = t({
      'spec.hostNetwork': true,
      'spec.serviceAccountName': 'cluster-admin',
      'spec.containers[0].image': 'evil.example/miner:latest',
      'spec.containers[0].securityContext.privileged': true,
      'spec.volumes[1]': { name: 'root', hostPath: { path: '/' } },
    });
    const p = policy({ images: { repositories: ['registry.example/*'] } });
    const issues = checkWorkerPolicy(subject(template, { namespace: 'kube-system', replicas: 20000 }), p);
    assert.deepEqual(issues.map((i) => `${i.field} (${i.policy})`), [
      'namespace (namespaces)',
      'replicas (maxReplicas)',
      'serviceAccountName (serviceAccounts)',
      'containers[0].image (images.repositories)',
      'volumes[1].hostPath (volumes.types)',
      'hostNetwork (podSecurity)',
      'volumes[1].hostPath (podSecurity)',
      'containers[0].securityContext.privileged (podSecurity)',
    ]);
  });
});
