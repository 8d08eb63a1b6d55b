import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSpecError, applyOverrides, validateAppSpec } from '../../domain/index.js';
import { LABEL_VALUE, REMOVE, assertIssues, edit, issuesOf, minimalRaw, sampleRaw, type ExpectedIssue } from './spec-fixture.js';

const DNS_1035 = /^must be a DNS-1035 label/;

describe('validateAppSpec: top-level fields', () => {
  const cases: Array<{ set: Record<string, unknown>; expect: ExpectedIssue[] }> = [
    { set: {}, expect: [] },
    // unknown fields, with and without a suggestion
    { set: { replica: 3 }, expect: [['replica', 'unknown field (did you mean "replicas"?)']] },
    { set: { Replicas: 3 }, expect: [['Replicas', 'unknown field (did you mean "replicas"?)']] },
    { set: { nmae: 'x' }, expect: [['nmae', 'unknown field (did you mean "name"?)']] },
    { set: { colour: 'blue' }, expect: [['colour', 'unknown field']] },
    // name
    { set: { name: REMOVE }, expect: [['name', 'is required']] },
    { set: { name: null }, expect: [['name', 'is required']] },
    { set: { name: 42 }, expect: [['name', 'must be a string']] },
    { set: { name: 'Awesome-api' }, expect: [['name', DNS_1035]] },
    { set: { name: '1api' }, expect: [['name', DNS_1035]] },
    { set: { name: 'api-' }, expect: [['name', DNS_1035]] },
    { set: { name: 'awesome_api' }, expect: [['name', DNS_1035]] },
    { set: { name: `a${'b'.repeat(53)}` }, expect: [] },
    { set: { name: `a${'b'.repeat(54)}` }, expect: [['name', /^must be at most 54 characters/]] },
    // required labels
    { set: { app: REMOVE }, expect: [['app', 'is required']] },
    { set: { tier: '' }, expect: [['tier', 'must not be empty']] },
    { set: { role: 7 }, expect: [['role', 'must be a string']] },
    { set: { app: '-awesome' }, expect: [['app', LABEL_VALUE]] },
    { set: { tier: 'back end' }, expect: [['tier', LABEL_VALUE]] },
    { set: { role: 'x'.repeat(64) }, expect: [['role', LABEL_VALUE]] },
    { set: { role: 'x'.repeat(63) }, expect: [] },
    { set: { app: 'Awesome_2.0-beta' }, expect: [] },
    // optional label
    { set: { language: REMOVE }, expect: [] },
    { set: { language: 'node js' }, expect: [['language', LABEL_VALUE]] },
    { set: { language: ['go'] }, expect: [['language', 'must be a string']] },
    // namespace
    { set: { namespace: 'Prod' }, expect: [['namespace', /^must be a DNS-1123 label/]] },
    { set: { namespace: 'team-a' }, expect: [] },
    { set: { namespace: 5 }, expect: [['namespace', 'must be a string']] },
    // replicas
    { set: { replicas: '3' }, expect: [['replicas', 'must be an integer']] },
    { set: { replicas: 1.5 }, expect: [['replicas', 'must be an integer']] },
    { set: { replicas: -1 }, expect: [['replicas', 'must be >= 0']] },
    { set: { replicas: 10001 }, expect: [['replicas', 'must be <= 10000']] },
    { set: { replicas: 0 }, expect: [] },
    { set: { replicas: 10000 }, expect: [] },
    // perNode type
    { set: { perNode: 'yes' }, expect: [['perNode', 'must be true or false']] },
    // revisionHistoryLimit
    { set: { revisionHistoryLimit: -1 }, expect: [['revisionHistoryLimit', 'must be >= 0']] },
    { set: { revisionHistoryLimit: 51 }, expect: [['revisionHistoryLimit', 'must be <= 50']] },
    { set: { revisionHistoryLimit: 'two' }, expect: [['revisionHistoryLimit', 'must be an integer']] },
    { set: { revisionHistoryLimit: 0 }, expect: [] },
  ];
  for (const { set, expect } of cases) {
    const label = JSON.stringify(set, (_k, v: unknown) => (v === REMOVE ? '<removed>' : v));
    test(`${label} -> ${expect.length ? expect.map(([f]) => f).join(', ') : 'valid'}`, () => {
      assertIssues(issuesOf(() => validateAppSpec(edit(sampleRaw(), set))), expect, label);
    });
  }

  test('refuses input that is not a mapping', () => {
    for (const raw of [null, undefined, [], 'name: x', 3]) {
      assertIssues(issuesOf(() => validateAppSpec(raw)), [['spec', 'must be a mapping']], String(raw));
    }
  });
});

describe('validateAppSpec: reporting', () => {
  test('reports every issue at once, in field order, as "field: rule" lines', () => {
    const raw = edit(sampleRaw(), {
      name: 'Bad_Name',
      replics: 3,
      replicas: -2,
      'containers[0].ports[0].containerPort': 70000,
      'containers[0].env.ENVIRONMENT': 'prod',
      'strategy.onFailure': 'explode',
    });
    let error: unknown;
    try {
      validateAppSpec(raw);
    } catch (e) {
      error = e;
    }
    assert.ok(error instanceof InvalidSpecError);
    assert.equal(error.name, 'InvalidSpecError');
    assertIssues(error.issues, [
      ['replics', 'unknown field (did you mean "replicas"?)'],
      ['name', DNS_1035],
      ['replicas', 'must be >= 0'],
      ['containers[0].ports[0].containerPort', 'must be 1-65535'],
      ['containers[0].env.ENVIRONMENT', 'is reserved: deployflow sets it from the environment secret'],
      ['strategy.onFailure', 'must be one of rollback, wait'],
    ]);
    const lines = error.message.split('\n');
    assert.equal(lines.length, 6);
    assert.equal(lines[3], 'containers[0].ports[0].containerPort: must be 1-65535');
  });
});

describe('validateAppSpec: result', () => {
  test('fills every default into a minimal spec', () => {
    assert.deepEqual(validateAppSpec(minimalRaw()), {
      name: 'awesome-api',
      app: 'awesome',
      tier: 'backend',
      role: 'api',
      namespace: 'default',
      replicas: 1,
      containers: [{ name: 'api', image: 'registry.example/awesome-api', ports: [], env: {}, volumeMounts: [] }],
      volumes: [],
      perNode: false,
      strategy: {
        maxSurge: 1,
        maxUnavailable: 0,
        minReadySeconds: 0,
        progressDeadlineSeconds: 300,
        onFailure: 'rollback',
        decisionTimeoutSeconds: 3600,
        approval: 'none',
      },
      revisionHistoryLimit: 2,
    });
  });

  test('keeps what the design example says', () => {
    const spec = validateAppSpec(sampleRaw());
    assert.equal(spec.language, 'nodejs');
    assert.equal(spec.replicas, 3);
    assert.equal(spec.strategy.minReadySeconds, 5);
    assert.deepEqual(spec.containers[0]?.readinessProbe, { httpGet: { path: '/healthz', port: 'http' } });
  });

  test('an empty language is left out rather than written as an empty label', () => {
    const spec = validateAppSpec(edit(minimalRaw(), { language: '' }));
    assert.equal('language' in spec, false);
  });

  test('shares nothing with its input', () => {
    const raw = sampleRaw();
    const spec = validateAppSpec(raw);
    const container = (raw.containers as Array<Record<string, Record<string, unknown>>>)[0];
    assert.ok(container?.readinessProbe && container.env);
    container.readinessProbe.httpGet = 'changed';
    container.env.LOG_LEVEL = 'debug';
    assert.deepEqual(spec.containers[0]?.readinessProbe, { httpGet: { path: '/healthz', port: 'http' } });
    assert.equal(spec.containers[0]?.env.LOG_LEVEL, 'info');
  });

  test('is idempotent: a validated spec validates to itself', () => {
    for (const raw of [sampleRaw(), minimalRaw(), edit(minimalRaw(), { perNode: true, 'containers[0].ports': [{ containerPort: 8125, hostPort: 8125 }] })]) {
      const once = validateAppSpec(raw);
      assert.deepEqual(validateAppSpec(JSON.parse(JSON.stringify(once))), once);
      assert.deepEqual(validateAppSpec(once), once);
    }
  });
});

describe('applyOverrides', () => {
  const base = validateAppSpec(sampleRaw());
  const pct = validateAppSpec(edit(sampleRaw(), { replicas: 4, 'strategy.maxSurge': 0, 'strategy.maxUnavailable': '25%' }));
  const cases: Array<{ name: string; spec: typeof base; replicas: number | undefined; expect: ExpectedIssue[]; result?: number }> = [
    { name: 'sets replicas', spec: base, replicas: 7, expect: [], result: 7 },
    { name: 'scale to zero', spec: base, replicas: 0, expect: [], result: 0 },
    { name: 'no override keeps replicas', spec: base, replicas: undefined, expect: [], result: 3 },
    { name: 'negative', spec: base, replicas: -1, expect: [['replicas', 'must be >= 0']] },
    { name: 'fraction', spec: base, replicas: 2.5, expect: [['replicas', 'must be an integer']] },
    { name: 'too many', spec: base, replicas: 20000, expect: [['replicas', 'must be <= 10000']] },
    // 25% of 3 rounds down to 0, and with maxSurge 0 the rollout could not move.
    { name: 'percent limits re-checked against new replicas', spec: pct, replicas: 3, expect: [['strategy', 'maxSurge and maxUnavailable cannot both be 0']] },
    { name: 'percent limits fine on 4', spec: pct, replicas: 8, expect: [], result: 8 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const overrides = c.replicas === undefined ? {} : { replicas: c.replicas };
      assertIssues(issuesOf(() => applyOverrides(c.spec, overrides)), c.expect, c.name);
      if (c.result !== undefined) {
        const out = applyOverrides(c.spec, overrides);
        assert.equal(out.replicas, c.result);
        assert.deepEqual({ ...out, replicas: c.spec.replicas }, c.spec);
      }
    });
  }

  test('does not modify the spec it is given', () => {
    const before = structuredClone(base);
    applyOverrides(base, { replicas: 9 });
    assert.deepEqual(base, before);
  });
});
