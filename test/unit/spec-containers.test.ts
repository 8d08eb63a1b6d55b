import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAppSpec } from '../../domain/index.js';
import { DNS_1123, REMOVE, assertIssues, edit, issuesOf, sampleRaw, type ExpectedIssue } from './spec-fixture.js';

const C = 'containers[0]';
const P = `${C}.ports[0]`;
const SIDECAR = { name: 'sidecar', image: 'registry.example/statsd' };
const WITH_DATA_VOLUME = { volumes: [{ name: 'data', emptyDir: {} }] };
const IANA = /^must be an IANA service name/;
// Host ports are for per-node agents only, which roll without surge.
const PER_NODE = { perNode: true, 'strategy.maxSurge': 0, 'strategy.maxUnavailable': 1 };

type Case = { name: string; set: Record<string, unknown>; expect: ExpectedIssue[] };

function runTable(cases: Case[]): void {
  for (const c of cases) {
    test(c.name, () => assertIssues(issuesOf(() => validateAppSpec(edit(sampleRaw(), c.set))), c.expect, c.name));
  }
}

describe('containers', () => {
  runTable([
    { name: 'missing', set: { containers: REMOVE }, expect: [['containers', 'is required']] },
    { name: 'empty', set: { containers: [] }, expect: [['containers', 'must have at least one container']] },
    { name: 'not a list', set: { containers: { name: 'api' } }, expect: [['containers', 'must be a list']] },
    { name: 'item not a mapping', set: { containers: ['api'] }, expect: [[C, 'must be a mapping']] },
    { name: 'unknown key suggests', set: { [`${C}.imagePullPolicy`]: 'Always' }, expect: [[`${C}.imagePullPolicy`, 'unknown field']] },
    { name: 'misspelled key suggests', set: { [`${C}.imgae`]: 'x' }, expect: [[`${C}.imgae`, 'unknown field (did you mean "image"?)']] },
    { name: 'name missing', set: { [`${C}.name`]: REMOVE }, expect: [[`${C}.name`, 'is required']] },
    { name: 'name uppercase', set: { [`${C}.name`]: 'API' }, expect: [[`${C}.name`, DNS_1123]] },
    { name: 'name may start with a digit', set: { [`${C}.name`]: '2nd' }, expect: [] },
    { name: 'duplicate names', set: { 'containers[1]': { name: 'api', image: 'registry.example/awesome-api' } }, expect: [['containers[1].name', 'must be unique (also containers[0].name)']] },
    { name: 'two containers', set: { 'containers[1]': SIDECAR }, expect: [] },
  ]);
});

describe('container image', () => {
  const NO_TAG = 'must be an image repository without tag or digest (the tag comes from the deploy request)';
  runTable([
    { name: 'missing', set: { [`${C}.image`]: REMOVE }, expect: [[`${C}.image`, 'is required']] },
    { name: 'with tag', set: { [`${C}.image`]: 'registry.example/awesome-api:1.0' }, expect: [[`${C}.image`, NO_TAG]] },
    { name: 'with digest', set: { [`${C}.image`]: `registry.example/awesome-api@sha256:${'a'.repeat(64)}` }, expect: [[`${C}.image`, NO_TAG]] },
    { name: 'uppercase path', set: { [`${C}.image`]: 'registry.example/Awesome' }, expect: [[`${C}.image`, /^must be a valid image repository/]] },
    { name: 'space', set: { [`${C}.image`]: 'awesome api' }, expect: [[`${C}.image`, /^must be a valid image repository/]] },
    { name: 'registry with port', set: { [`${C}.image`]: 'localhost:5000/team/awesome-api' }, expect: [] },
    { name: 'docker hub short name', set: { [`${C}.image`]: 'nginx' }, expect: [] },
  ]);
});

describe('container ports', () => {
  runTable([
    { name: 'not a list', set: { [`${C}.ports`]: 8080 }, expect: [[`${C}.ports`, 'must be a list']] },
    { name: 'item not a mapping', set: { [`${C}.ports`]: [8080] }, expect: [[P, 'must be a mapping']] },
    { name: 'containerPort missing', set: { [`${P}.containerPort`]: REMOVE }, expect: [[`${P}.containerPort`, 'is required']] },
    { name: 'containerPort 0', set: { [`${P}.containerPort`]: 0 }, expect: [[`${P}.containerPort`, 'must be 1-65535']] },
    { name: 'containerPort 65536', set: { [`${P}.containerPort`]: 65536 }, expect: [[`${P}.containerPort`, 'must be 1-65535']] },
    { name: 'containerPort 65535', set: { [`${P}.containerPort`]: 65535 }, expect: [] },
    { name: 'containerPort string', set: { [`${P}.containerPort`]: '8080' }, expect: [[`${P}.containerPort`, 'must be an integer']] },
    { name: 'hostPort too big', set: { ...PER_NODE, [`${P}.hostPort`]: 70000 }, expect: [[`${P}.hostPort`, 'must be 1-65535']] },
    { name: 'hostPort ok', set: { ...PER_NODE, [`${P}.hostPort`]: 80 }, expect: [] },
    { name: 'hostPort without perNode', set: { [`${P}.hostPort`]: 80 }, expect: [[`${P}.hostPort`, 'requires perNode: true (host ports are for per-node agents only)']] },
    { name: 'misspelled containerPort', set: { [`${P}.containerport`]: 1 }, expect: [[`${P}.containerport`, 'unknown field (did you mean "containerPort"?)']] },
    { name: 'protocol lowercase', set: { [`${P}.protocol`]: 'tcp' }, expect: [[`${P}.protocol`, 'must be one of TCP, UDP, SCTP']] },
    { name: 'protocol UDP', set: { [`${P}.protocol`]: 'UDP' }, expect: [] },
    { name: 'name uppercase', set: { [`${P}.name`]: 'HTTP' }, expect: [[`${P}.name`, IANA]] },
    { name: 'name 16 chars', set: { [`${P}.name`]: 'a'.repeat(16) }, expect: [[`${P}.name`, IANA]] },
    { name: 'name 15 chars', set: { [`${P}.name`]: 'a'.repeat(15) }, expect: [] },
    { name: 'name without a letter', set: { [`${P}.name`]: '8080' }, expect: [[`${P}.name`, IANA]] },
    { name: 'name with double hyphen', set: { [`${P}.name`]: 'a--b' }, expect: [[`${P}.name`, IANA]] },
    { name: 'name ending in hyphen', set: { [`${P}.name`]: 'http-' }, expect: [[`${P}.name`, IANA]] },
    { name: 'name one letter', set: { [`${P}.name`]: 'h' }, expect: [] },
    {
      name: 'duplicate containerPort',
      set: { [`${C}.ports[1]`]: { containerPort: 8080 } },
      expect: [[`${C}.ports[1].containerPort`, `must be unique within the container (also ${P}.containerPort)`]],
    },
    { name: 'same port, other protocol', set: { [`${C}.ports[1]`]: { containerPort: 8080, protocol: 'UDP' } }, expect: [] },
    {
      name: 'duplicate port name',
      set: { [`${C}.ports[1]`]: { name: 'http', containerPort: 9090 } },
      expect: [[`${C}.ports[1].name`, `must be unique within the container (also ${P}.name)`]],
    },
    {
      name: 'hostPort taken by another container',
      set: { ...PER_NODE, [`${P}.hostPort`]: 8125, 'containers[1]': { ...SIDECAR, ports: [{ containerPort: 9125, hostPort: 8125 }] } },
      expect: [['containers[1].ports[0].hostPort', `must be unique within the pod (also ${P}.hostPort)`]],
    },
  ]);
});

describe('container env', () => {
  runTable([
    { name: 'not a mapping', set: { [`${C}.env`]: ['A=1'] }, expect: [[`${C}.env`, 'must be a mapping of names to values']] },
    { name: 'key starting with a digit', set: { [`${C}.env.1ST`]: 'x' }, expect: [[`${C}.env.1ST`, /^must be a name of letters, digits and '_'/]] },
    { name: 'key with a hyphen', set: { [`${C}.env.LOG-LEVEL`]: 'x' }, expect: [[`${C}.env.LOG-LEVEL`, /^must be a name/]] },
    { name: 'ENVIRONMENT reserved', set: { [`${C}.env.ENVIRONMENT`]: 'prod' }, expect: [[`${C}.env.ENVIRONMENT`, 'is reserved: deployflow sets it from the environment secret']] },
    { name: 'nested value', set: { [`${C}.env.CONFIG`]: { a: 1 } }, expect: [[`${C}.env.CONFIG`, /^must be a string, number or boolean, or \{ secretKeyRef/]] },
    { name: 'null value', set: { [`${C}.env.EMPTY`]: null }, expect: [[`${C}.env.EMPTY`, /^must be a string, number or boolean/]] },
    { name: 'secretKeyRef', set: { [`${C}.env.DB_PASSWORD`]: { secretKeyRef: { name: 'awesome-api-db', key: 'password' } } }, expect: [] },
    { name: 'configMapKeyRef', set: { [`${C}.env.FEATURES`]: { configMapKeyRef: { name: 'awesome.flags', key: 'features.json' } } }, expect: [] },
    { name: 'both kinds of reference', set: { [`${C}.env.X`]: { secretKeyRef: { name: 'a', key: 'b' }, configMapKeyRef: { name: 'a', key: 'b' } } }, expect: [[`${C}.env.X`, 'must have exactly one of secretKeyRef, configMapKeyRef']] },
    { name: 'reference with an extra field', set: { [`${C}.env.X`]: { secretKeyRef: { name: 'a', key: 'b' }, value: 'c' } }, expect: [[`${C}.env.X.value`, /^unknown field/]] },
    { name: 'reference to a bad Secret name', set: { [`${C}.env.X`]: { secretKeyRef: { name: 'Not_A_Name', key: 'k' } } }, expect: [[`${C}.env.X.secretKeyRef.name`, /^must name a Secret: a DNS-1123 subdomain/]] },
    { name: 'reference without a key', set: { [`${C}.env.X`]: { configMapKeyRef: { name: 'cm' } } }, expect: [[`${C}.env.X.configMapKeyRef.key`, /^must be a data key/]] },
    { name: 'reference key with a slash', set: { [`${C}.env.X`]: { secretKeyRef: { name: 's', key: 'a/b' } } }, expect: [[`${C}.env.X.secretKeyRef.key`, /^must be a data key/]] },
    { name: 'reference not a mapping', set: { [`${C}.env.X`]: { secretKeyRef: 'db/password' } }, expect: [[`${C}.env.X.secretKeyRef`, 'must be a mapping { name, key }']] },
    { name: 'an inline credential passes the spec (the worker policy judges it)', set: { [`${C}.env.DB_PASSWORD`]: 'hunter2' }, expect: [] },
    { name: 'lowercase and underscore keys', set: { [`${C}.env._private`]: 'x', [`${C}.env.http_proxy`]: 'x' }, expect: [] },
  ]);

  test('numbers and booleans become strings', () => {
    const spec = validateAppSpec(edit(sampleRaw(), { [`${C}.env`]: { PORT: 8080, DEBUG: true, RATIO: 0.5, NAME: 'x' } }));
    assert.deepEqual(spec.containers[0]?.env, { PORT: '8080', DEBUG: 'true', RATIO: '0.5', NAME: 'x' });
  });

  test('a validated spec with references validates to itself (the workflow re-checks its input)', () => {
    const spec = validateAppSpec(edit(sampleRaw(), { [`${C}.env.DB_PASSWORD`]: { secretKeyRef: { name: 'db', key: 'password' } } }));
    assert.deepEqual(validateAppSpec(JSON.parse(JSON.stringify(spec))), spec);
  });
});

describe('readinessProbe and resources', () => {
  runTable([
    { name: 'probe not a mapping', set: { [`${C}.readinessProbe`]: '/healthz' }, expect: [[`${C}.readinessProbe`, 'must be a mapping']] },
    { name: 'resources not a mapping', set: { [`${C}.resources`]: ['100m'] }, expect: [[`${C}.resources`, 'must be a mapping']] },
    { name: 'both absent', set: { [`${C}.readinessProbe`]: REMOVE, [`${C}.resources`]: REMOVE }, expect: [] },
  ]);

  test('are passed through untouched', () => {
    const probe = { exec: { command: ['true'] }, periodSeconds: 2, anythingKubernetesAccepts: { deep: [1] } };
    const spec = validateAppSpec(edit(sampleRaw(), { [`${C}.readinessProbe`]: probe }));
    assert.deepEqual(spec.containers[0]?.readinessProbe, probe);
  });
});

describe('volumes', () => {
  runTable([
    { name: 'not a list', set: { volumes: { data: {} } }, expect: [['volumes', 'must be a list']] },
    { name: 'item not a mapping', set: { volumes: ['data'] }, expect: [['volumes[0]', 'must be a mapping']] },
    { name: 'name missing', set: { volumes: [{ emptyDir: {} }] }, expect: [['volumes[0].name', 'is required']] },
    { name: 'name uppercase', set: { volumes: [{ name: 'Data', emptyDir: {} }] }, expect: [['volumes[0].name', DNS_1123]] },
    { name: 'name environment reserved', set: { volumes: [{ name: 'environment', emptyDir: {} }] }, expect: [['volumes[0].name', 'is reserved: deployflow adds the environment secret volume']] },
    {
      name: 'duplicate names',
      set: { volumes: [{ name: 'data', emptyDir: {} }, { name: 'data', configMap: { name: 'c' } }] },
      expect: [['volumes[1].name', 'must be unique (also volumes[0])']],
    },
    { name: 'two sources', set: { volumes: [{ name: 'data', emptyDir: {}, hostPath: { path: '/x' } }] }, expect: [['volumes[0]', 'must have at most one volume source (found emptyDir, hostPath)']] },
    { name: 'misspelled source', set: { volumes: [{ name: 'data', configmap: { name: 'c' } }] }, expect: [['volumes[0].configmap', 'unknown field (did you mean "configMap"?)']] },
    { name: 'no source (Kubernetes defaults to emptyDir)', set: { volumes: [{ name: 'scratch' }] }, expect: [] },
  ]);

  test('are passed through, source and all', () => {
    const volume = { name: 'config', configMap: { name: 'awesome-config', items: [{ key: 'a', path: 'a.json' }] } };
    const spec = validateAppSpec(edit(sampleRaw(), { volumes: [volume] }));
    assert.deepEqual(spec.volumes, [volume]);
  });
});

describe('volumeMounts', () => {
  const M = `${C}.volumeMounts[0]`;
  const mount = (m: Record<string, unknown>) => ({ ...WITH_DATA_VOLUME, [`${C}.volumeMounts`]: [m] });
  runTable([
    { name: 'valid', set: mount({ name: 'data', mountPath: '/data', readOnly: true }), expect: [] },
    { name: 'not a list', set: { [`${C}.volumeMounts`]: { name: 'data' } }, expect: [[`${C}.volumeMounts`, 'must be a list']] },
    { name: 'undeclared volume', set: mount({ name: 'cache', mountPath: '/cache' }), expect: [[`${M}.name`, 'must name a volume declared in volumes (declared: data)']] },
    { name: 'no volumes declared', set: { [`${C}.volumeMounts`]: [{ name: 'cache', mountPath: '/cache' }] }, expect: [[`${M}.name`, 'must name a volume declared in volumes (none declared)']] },
    { name: 'environment volume', set: mount({ name: 'environment', mountPath: '/env' }), expect: [[`${M}.name`, 'is reserved: deployflow mounts the environment secret itself']] },
    { name: '/etc/secrets reserved', set: mount({ name: 'data', mountPath: '/etc/secrets' }), expect: [[`${M}.mountPath`, 'is reserved: deployflow mounts the environment secret at /etc/secrets']] },
    { name: '/etc/secrets/ reserved', set: mount({ name: 'data', mountPath: '/etc/secrets/' }), expect: [[`${M}.mountPath`, /^is reserved/]] },
    { name: 'inside /etc/secrets reserved', set: mount({ name: 'data', mountPath: '/etc/secrets/db' }), expect: [[`${M}.mountPath`, /^is reserved/]] },
    { name: 'sibling of /etc/secrets fine', set: mount({ name: 'data', mountPath: '/etc/secrets-extra' }), expect: [] },
    { name: 'relative path', set: mount({ name: 'data', mountPath: 'data' }), expect: [[`${M}.mountPath`, 'must be an absolute path']] },
    { name: 'mountPath missing', set: mount({ name: 'data' }), expect: [[`${M}.mountPath`, 'is required']] },
    { name: 'readOnly not boolean', set: mount({ name: 'data', mountPath: '/data', readOnly: 'yes' }), expect: [[`${M}.readOnly`, 'must be true or false']] },
    { name: 'misspelled key', set: mount({ name: 'data', mountpath: '/data' }), expect: [[`${M}.mountpath`, 'unknown field (did you mean "mountPath"?)'], [`${M}.mountPath`, 'is required']] },
    {
      name: 'same path twice',
      set: { ...WITH_DATA_VOLUME, [`${C}.volumeMounts`]: [{ name: 'data', mountPath: '/data' }, { name: 'data', mountPath: '/data/' }] },
      expect: [[`${C}.volumeMounts[1].mountPath`, `must be unique within the container (also ${M}.mountPath)`]],
    },
  ]);

  test('default to an empty list', () => {
    assert.deepEqual(validateAppSpec(sampleRaw()).containers[0]?.volumeMounts, []);
  });
});
