// The app spec's own `labels` map: validation, rendering into pods and RCs, and
// the promise that specs without it keep the template hash they always had.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { isValidLabelKey, podLabels, renderReplicationController, templateHashOf, validateAppSpec } from '../../domain/index.js';
import { LABEL_VALUE, assertIssues, edit, issuesOf, minimalRaw, sampleRaw, type ExpectedIssue } from './spec-fixture.js';

const IMAGE = 'registry.example/awesome-api:1.4.2';

describe('isValidLabelKey', () => {
  const cases: Array<[string, boolean]> = [
    ['team', true],
    ['cost-center', true],
    ['Team_2.x', true],
    ['a', true],
    ['x'.repeat(63), true],
    ['x'.repeat(64), false],
    ['example.com/team', true],
    ['app.kubernetes.io/part-of', true],
    [`${'a'.repeat(253)}/x`, true],
    [`${'a'.repeat(254)}/x`, false],
    ['', false],
    ['-team', false],
    ['team-', false],
    ['my team', false],
    ['/team', false],
    ['example.com/', false],
    ['Example.com/team', false],
    ['example..com/team', false],
    ['a/b/c', false],
    ['é', false],
  ];
  for (const [key, expected] of cases) {
    test(`${JSON.stringify(key.length > 30 ? `${key.length} chars` : key)} -> ${expected}`, () => assert.equal(isValidLabelKey(key), expected));
  }
});

describe('validateAppSpec: labels', () => {
  test('absent: the spec has no labels field', () => {
    assert.equal('labels' in validateAppSpec(minimalRaw()), false);
  });

  test('an empty map is the same as none', () => {
    assert.equal('labels' in validateAppSpec(edit(minimalRaw(), { labels: {} })), false);
    assert.equal('labels' in validateAppSpec(edit(minimalRaw(), { labels: null })), false);
  });

  test('kept with keys sorted; numbers and booleans become text', () => {
    const spec = validateAppSpec(edit(minimalRaw(), { labels: { team: 'payments', 'cost-center': 1234, 'example.com/pci': true } }));
    assert.deepEqual(spec.labels, { 'cost-center': '1234', 'example.com/pci': 'true', team: 'payments' });
    assert.deepEqual(Object.keys(spec.labels ?? {}), ['cost-center', 'example.com/pci', 'team']);
  });

  const refused: Array<[string, unknown, readonly ExpectedIssue[]]> = [
    ['not a mapping', ['team=a'], [['labels', 'must be a mapping of label keys to values']]],
    ['a convention', { tier: 'x' }, [['labels.tier', 'is reserved: set it with the top-level "tier" field']]],
    ['name', { name: 'x' }, [['labels.name', 'is reserved: set it with the top-level "name" field']]],
    ['language', { language: 'go' }, [['labels.language', 'is reserved: set it with the top-level "language" field']]],
    ['the selector label', { deployment: 'x' }, [['labels.deployment', /^is reserved: deployflow sets it/]]],
    ['managed-by', { 'app.kubernetes.io/managed-by': 'me' }, [['labels["app.kubernetes.io/managed-by"]', /^is reserved: deployflow sets it/]]],
    ['a deployflow.io/ key', { 'deployflow.io/revision': '1' }, [['labels["deployflow.io/revision"]', /^is reserved/]]],
    ['an invalid key', { 'my team': 'a' }, [['labels["my team"]', /^must be a valid label key/]]],
    ['an invalid value', { team: 'pay ments' }, [['labels.team', LABEL_VALUE]]],
    ['a too long value', { team: 'x'.repeat(64) }, [['labels.team', LABEL_VALUE]]],
    ['a nested value', { team: { a: 1 } }, [['labels.team', 'must be a string, number or boolean']]],
  ];
  for (const [what, labels, expected] of refused) {
    test(`refuses ${what}`, () => assertIssues(issuesOf(() => validateAppSpec(edit(minimalRaw(), { labels }))), expected, what));
  }

  test('an unknown top-level key near "labels" gets a hint', () => {
    assertIssues(issuesOf(() => validateAppSpec(edit(minimalRaw(), { label: { team: 'a' } }))), [['label', 'unknown field (did you mean "labels"?)']]);
  });
});

describe('rendering labels', () => {
  const spec = validateAppSpec(edit(sampleRaw(), { labels: { team: 'payments', 'example.com/tier-class': 'gold' } }));
  const rc = renderReplicationController({
    spec,
    environment: 'production',
    image: IMAGE,
    revision: 1,
    requestedBy: 'test',
    workflowId: 'deploy/production/default/awesome-api',
    replicas: 3,
  });
  const hash = rc.metadata.labels.deployment ?? '';

  test('pods carry the conventions plus the spec labels plus the hash', () => {
    assert.deepEqual(rc.spec.template.metadata.labels, {
      name: 'awesome-api', app: 'awesome', tier: 'backend', role: 'api', language: 'nodejs',
      'example.com/tier-class': 'gold', team: 'payments', deployment: hash,
    });
  });

  test('the RC carries them too (so tools can group RCs like pods)', () => {
    assert.equal(rc.metadata.labels.team, 'payments');
    assert.equal(rc.metadata.labels['app.kubernetes.io/managed-by'], 'deployflow');
  });

  test('the selector is unchanged: name and hash only', () => {
    assert.deepEqual(rc.spec.selector, { name: 'awesome-api', deployment: hash });
  });

  test('podLabels never lets a spec label override a convention or a selector label', () => {
    const sneaky = { ...validateAppSpec(minimalRaw()), labels: { tier: 'x', deployment: 'y', 'app.kubernetes.io/managed-by': 'z', team: 'ok' } };
    assert.deepEqual(podLabels(sneaky), { name: 'awesome-api', app: 'awesome', tier: 'backend', role: 'api', team: 'ok' });
  });
});

describe('template hash with and without labels', () => {
  // Pinned: specs without `labels` must keep the hash they had before labels existed,
  // or every running app would roll on its next deploy.
  test('specs without labels keep their hash', () => {
    assert.equal(templateHashOf(validateAppSpec(sampleRaw()), IMAGE), '22bf3537');
    assert.equal(templateHashOf(validateAppSpec(minimalRaw()), IMAGE), '83e3d105');
    assert.equal(templateHashOf(validateAppSpec(edit(sampleRaw(), { labels: {} })), IMAGE), '22bf3537');
  });

  test('labels change the hash (they change the pods)', () => {
    const base = templateHashOf(validateAppSpec(sampleRaw()), IMAGE);
    const a = templateHashOf(validateAppSpec(edit(sampleRaw(), { labels: { team: 'a' } })), IMAGE);
    const b = templateHashOf(validateAppSpec(edit(sampleRaw(), { labels: { team: 'b' } })), IMAGE);
    assert.notEqual(a, base);
    assert.notEqual(a, b);
  });

  test('label order in the file does not matter', () => {
    const one = templateHashOf(validateAppSpec(edit(sampleRaw(), { labels: { team: 'a', cc: 'b' } })), IMAGE);
    const two = templateHashOf(validateAppSpec(edit(sampleRaw(), { labels: { cc: 'b', team: 'a' } })), IMAGE);
    assert.equal(one, two);
  });
});
