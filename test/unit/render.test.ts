import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ReplicationController } from '@kubernetes/client-node';
import {
  InvalidSpecError, renderPodTemplate, renderReplicationController, templateHash, templateHashOf, validateAppSpec, type RenderInput,
} from '../../domain/index.js';
import { keptSpecJson } from '../../domain/kept-spec.js';
import { edit, sampleRaw } from './spec-fixture.js';

const spec = validateAppSpec(edit(sampleRaw(), { volumes: [{ name: 'data', emptyDir: {} }], 'containers[0].volumeMounts': [{ name: 'data', mountPath: '/data' }] }));

function input(overrides: Partial<RenderInput> = {}): RenderInput {
  return {
    spec,
    environment: 'production',
    image: 'registry.example/awesome-api:1.4.2',
    revision: 4,
    requestedBy: 'ci@example.com',
    source: 'https://ci.example/pipelines/77',
    workflowId: 'deploy/production/default/awesome-api',
    replicas: 3,
    ...overrides,
  };
}

describe('renderReplicationController', () => {
  const rc = renderReplicationController(input());
  const hash = rc.metadata.labels.deployment ?? '';
  const container = rc.spec.template.spec.containers[0];

  test('is named <name>-<hash of the pod template>', () => {
    assert.match(hash, /^[0-9a-f]{8}$/);
    assert.equal(rc.metadata.name, `awesome-api-${hash}`);
    assert.equal(hash, templateHashOf(spec, 'registry.example/awesome-api:1.4.2'));
  });

  test('is a v1 ReplicationController in the spec namespace', () => {
    assert.equal(rc.apiVersion, 'v1');
    assert.equal(rc.kind, 'ReplicationController');
    assert.equal(rc.metadata.namespace, 'default');
  });

  test('the longest allowed app name still gives a valid object name', () => {
    const long = validateAppSpec(edit(sampleRaw(), { name: `a${'b'.repeat(53)}` }));
    assert.equal(renderReplicationController(input({ spec: long })).metadata.name.length, 63);
  });

  test('selects its own pods only: name plus deployment hash', () => {
    assert.deepEqual(rc.spec.selector, { name: 'awesome-api', deployment: hash });
    for (const [k, v] of Object.entries(rc.spec.selector)) assert.equal(rc.spec.template.metadata.labels[k], v, k);
  });

  test('labels: pods carry the conventions plus the hash, the RC also its manager', () => {
    const pod = { name: 'awesome-api', app: 'awesome', tier: 'backend', role: 'api', language: 'nodejs', deployment: hash };
    assert.deepEqual(rc.spec.template.metadata.labels, pod);
    assert.deepEqual(rc.metadata.labels, { ...pod, 'app.kubernetes.io/managed-by': 'deployflow' });
  });

  test('replicas and minReadySeconds come from the input and strategy', () => {
    assert.equal(rc.spec.replicas, 3);
    assert.equal(rc.spec.minReadySeconds, 5);
    assert.equal(renderReplicationController(input({ replicas: 0 })).spec.replicas, 0);
  });

  test('annotations', () => {
    assert.deepEqual(rc.metadata.annotations, {
      'deployflow.io/revision': '4',
      'deployflow.io/image': 'registry.example/awesome-api:1.4.2',
      'deployflow.io/requested-by': 'ci@example.com',
      'deployflow.io/source': 'https://ci.example/pipelines/77',
      'deployflow.io/workflow-id': 'deploy/production/default/awesome-api',
      'deployflow.io/template-hash': hash,
      'deployflow.io/desired-replicas': '3',
      'deployflow.io/app-spec': rc.metadata.annotations['deployflow.io/app-spec'],
      'deployflow.io/environment': 'production',
    });
  });

  test('source is left out when not given', () => {
    const { source: _source, ...rest } = input();
    assert.equal('deployflow.io/source' in renderReplicationController(rest).metadata.annotations, false);
  });

  test('the app-spec annotation, with env from the pod template, redeploys exactly the same template', () => {
    const annotation = rc.metadata.annotations['deployflow.io/app-spec'];
    const kept = validateAppSpec(JSON.parse(keptSpecJson(annotation, rc.spec.template.spec.containers) ?? ''));
    assert.deepEqual(kept, spec);
    assert.equal(renderReplicationController(input({ spec: kept })).metadata.name, rc.metadata.name);
  });

  describe('env from Secrets and ConfigMaps', () => {
    const withRefs = validateAppSpec(edit(sampleRaw(), {
      'containers[0].env': { LOG_LEVEL: 'info', DB_PASSWORD: { secretKeyRef: { name: 'awesome-api-db', key: 'password' } }, FLAGS: { configMapKeyRef: { name: 'awesome-api', key: 'flags' } } },
    }));
    const refRc = renderReplicationController(input({ spec: withRefs }));

    test('references render as valueFrom, in Kubernetes\' own shape', () => {
      assert.deepEqual(refRc.spec.template.spec.containers[0]?.env, [
        { name: 'DB_PASSWORD', valueFrom: { secretKeyRef: { name: 'awesome-api-db', key: 'password' } } },
        { name: 'FLAGS', valueFrom: { configMapKeyRef: { name: 'awesome-api', key: 'flags' } } },
        { name: 'LOG_LEVEL', value: 'info' },
        { name: 'ENVIRONMENT', valueFrom: { secretKeyRef: { name: 'environment', key: 'environment' } } },
      ]);
    });

    test('another key of the Secret is another pod template', () => {
      const other = validateAppSpec(edit(sampleRaw(), { 'containers[0].env': { LOG_LEVEL: 'info', DB_PASSWORD: { secretKeyRef: { name: 'awesome-api-db', key: 'password2' } }, FLAGS: { configMapKeyRef: { name: 'awesome-api', key: 'flags' } } } }));
      assert.notEqual(templateHashOf(other, 'registry.example/awesome-api:1.4.2'), templateHashOf(withRefs, 'registry.example/awesome-api:1.4.2'));
    });

    test('no annotation carries an inline value; references and names stay', () => {
      const annotations = JSON.stringify(refRc.metadata.annotations);
      assert.equal(annotations.includes('"info"') || annotations.includes(':info'), false, annotations);
      const annotated = JSON.parse(refRc.metadata.annotations['deployflow.io/app-spec'] ?? '') as { containers: Array<{ env: Record<string, unknown> }> };
      assert.deepEqual(annotated.containers[0]?.env, {
        DB_PASSWORD: { secretKeyRef: { name: 'awesome-api-db', key: 'password' } },
        FLAGS: { configMapKeyRef: { name: 'awesome-api', key: 'flags' } },
        LOG_LEVEL: '(inline value: in the pod template only)',
      });
    });

    test('a kept revision comes back with its references and inline values', () => {
      const kept = validateAppSpec(JSON.parse(keptSpecJson(refRc.metadata.annotations['deployflow.io/app-spec'], refRc.spec.template.spec.containers) ?? ''));
      assert.deepEqual(kept, withRefs);
    });

    test('an RC annotated before this change (values inline) still redeploys', () => {
      const old = JSON.stringify(withRefs);
      assert.deepEqual(validateAppSpec(JSON.parse(keptSpecJson(old, refRc.spec.template.spec.containers) ?? '')), withRefs);
    });

    test('a template missing a container of the annotation gives no spec rather than a marker for a value', () => {
      assert.equal(keptSpecJson(refRc.metadata.annotations['deployflow.io/app-spec'], [{ name: 'other', env: [] }]), undefined);
      assert.equal(keptSpecJson('not json', refRc.spec.template.spec.containers), undefined);
    });
  });

  test('containers get the resolved image, ports, probe and resources', () => {
    assert.ok(container);
    assert.equal(container.name, 'api');
    assert.equal(container.image, 'registry.example/awesome-api:1.4.2');
    assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8080 }]);
    assert.deepEqual(container.readinessProbe, { httpGet: { path: '/healthz', port: 'http' } });
    assert.deepEqual(container.resources, { requests: { cpu: '100m', memory: '128Mi' } });
  });

  test('env is sorted by name and ends with ENVIRONMENT from the secret', () => {
    const withEnv = validateAppSpec(edit(sampleRaw(), { 'containers[0].env': { ZED: 'z', ALPHA: 'a', MIDDLE: 'm' } }));
    const env = renderReplicationController(input({ spec: withEnv })).spec.template.spec.containers[0]?.env;
    assert.deepEqual(env, [
      { name: 'ALPHA', value: 'a' },
      { name: 'MIDDLE', value: 'm' },
      { name: 'ZED', value: 'z' },
      { name: 'ENVIRONMENT', valueFrom: { secretKeyRef: { name: 'environment', key: 'environment' } } },
    ]);
  });

  test('the environment secret is a volume mounted read-only at /etc/secrets', () => {
    assert.deepEqual(rc.spec.template.spec.volumes, [
      { name: 'data', emptyDir: {} },
      { name: 'environment', secret: { secretName: 'environment' } },
    ]);
    assert.deepEqual(container?.volumeMounts, [
      { name: 'data', mountPath: '/data' },
      { name: 'environment', mountPath: '/etc/secrets', readOnly: true },
    ]);
  });

  test('every container gets the secret mount and ENVIRONMENT', () => {
    const two = validateAppSpec(edit(sampleRaw(), { 'containers[1]': { name: 'worker', image: 'registry.example/awesome-api' } }));
    for (const c of renderReplicationController(input({ spec: two })).spec.template.spec.containers) {
      assert.ok(c.volumeMounts.some((m) => m.mountPath === '/etc/secrets' && m.readOnly === true), c.name);
      assert.equal(c.env.at(-1)?.name, 'ENVIRONMENT', c.name);
    }
  });

  test('the hash is the template hashed without its deployment label', () => {
    const { deployment: _deployment, ...labels } = rc.spec.template.metadata.labels;
    assert.equal(templateHash({ ...rc.spec.template, metadata: { labels } }), hash);
  });

  test('the environment is not part of the template: one release, one name in every cluster', () => {
    const staging = renderReplicationController(input({ environment: 'staging', workflowId: 'deploy/staging/default/awesome-api' }));
    assert.equal(staging.metadata.name, rc.metadata.name);
    assert.deepEqual(staging.spec.template, rc.spec.template);
    assert.ok(!JSON.stringify(rc.spec.template).includes('production'));
  });

  test('replicas, revision and requester are not part of the template', () => {
    const other = renderReplicationController(input({ replicas: 10, revision: 9, requestedBy: 'someone-else' }));
    assert.equal(other.metadata.name, rc.metadata.name);
  });

  test('holds no undefined values (YAML dumps and API calls see exactly this)', () => {
    const minimal = validateAppSpec({ name: 'x', app: 'x', tier: 'x', role: 'x', containers: [{ name: 'c', image: 'r/x', ports: [{ containerPort: 1 }] }] });
    const walk = (v: unknown, path: string): void => {
      assert.notEqual(v, undefined, path);
      if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    };
    walk(renderReplicationController(input({ spec: minimal, image: 'r/x:1', source: undefined })), 'rc');
  });

  test('shares no objects with the spec', () => {
    const fresh = renderReplicationController(input());
    (fresh.spec.template.spec.containers[0]?.readinessProbe as Record<string, unknown>).httpGet = 'changed';
    (fresh.spec.template.spec.volumes[0] as Record<string, unknown>).emptyDir = 'changed';
    assert.deepEqual(spec.containers[0]?.readinessProbe, { httpGet: { path: '/healthz', port: 'http' } });
    assert.deepEqual(spec.volumes[0], { name: 'data', emptyDir: {} });
  });

  test('is accepted as-is by the Kubernetes client types', () => {
    const body: V1ReplicationController = renderReplicationController(input());
    assert.equal(body.spec?.template?.spec?.containers[0]?.env?.at(-1)?.valueFrom?.secretKeyRef?.name, 'environment');
  });

  const refused: Array<[string, Partial<RenderInput>, string]> = [
    ['bad environment', { environment: 'Prod' }, 'environment'],
    ['negative replicas', { replicas: -1 }, 'replicas'],
    ['revision 0', { revision: 0 }, 'revision'],
    ['image without tag', { image: 'registry.example/awesome-api' }, 'image'],
    ['image for another repository', { image: 'registry.example/other:1' }, 'image'],
  ];
  for (const [name, overrides, field] of refused) {
    test(`refuses ${name}`, () => {
      assert.throws(() => renderReplicationController(input(overrides)), (e: unknown) => e instanceof InvalidSpecError && e.issues[0]?.field === field);
    });
  }
});

describe('renderPodTemplate', () => {
  test('returns the images it resolved', () => {
    assert.deepEqual(renderPodTemplate(spec, ':2.0.0').images, ['registry.example/awesome-api:2.0.0']);
  });
});
