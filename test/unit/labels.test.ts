import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEPLOYMENT_LABEL, MANAGED_BY, MANAGED_BY_LABEL, OPTIONAL_LABELS, REQUIRED_LABELS, appSelector, isDns1035Label, isDnsLabel, isValidLabelValue,
  podLabels, validateAppSpec,
} from '../../domain/index.js';
import { edit, minimalRaw } from './spec-fixture.js';

describe('isValidLabelValue', () => {
  const cases: Array<[string, boolean]> = [
    ['', true],
    ['awesome', true],
    ['Awesome_2.0-beta', true],
    ['a', true],
    ['9', true],
    ['x'.repeat(63), true],
    ['x'.repeat(64), false],
    ['-a', false],
    ['a-', false],
    ['.a', false],
    ['a_', false],
    ['a b', false],
    ['a/b', false],
    ['é', false],
  ];
  for (const [value, expected] of cases) test(`${JSON.stringify(value.length > 20 ? `${value.length} chars` : value)} -> ${expected}`, () => assert.equal(isValidLabelValue(value), expected));
});

describe('isDnsLabel / isDns1035Label', () => {
  const cases: Array<[string, number, boolean, boolean]> = [
    // value, max, DNS-1123, DNS-1035
    ['awesome-api', 63, true, true],
    ['1api', 63, true, false],
    ['a', 63, true, true],
    ['', 63, false, false],
    ['Api', 63, false, false],
    ['api-', 63, false, false],
    ['-api', 63, false, false],
    ['a_b', 63, false, false],
    ['a.b', 63, false, false],
    ['a'.repeat(63), 63, true, true],
    ['a'.repeat(64), 63, false, false],
    ['a'.repeat(55), 54, false, false],
    ['a'.repeat(54), 54, true, true],
  ];
  for (const [value, max, dns1123, dns1035] of cases) {
    test(`${value.length > 20 ? `${value.length}×a` : JSON.stringify(value)} (max ${max})`, () => {
      assert.equal(isDnsLabel(value, max), dns1123, 'DNS-1123');
      assert.equal(isDns1035Label(value, max), dns1035, 'DNS-1035');
    });
  }
  test('max defaults to 63', () => {
    assert.equal(isDnsLabel('a'.repeat(63)), true);
    assert.equal(isDnsLabel('a'.repeat(64)), false);
  });
});

describe('podLabels', () => {
  test('carries the four required labels', () => {
    assert.deepEqual(podLabels(validateAppSpec(minimalRaw())), { name: 'awesome-api', app: 'awesome', tier: 'backend', role: 'api' });
  });
  test('adds language when set', () => {
    const labels = podLabels(validateAppSpec(edit(minimalRaw(), { language: 'nodejs' })));
    assert.equal(labels.language, 'nodejs');
    assert.deepEqual(Object.keys(labels), [...REQUIRED_LABELS, ...OPTIONAL_LABELS]);
  });
  test('never carries the deployment or managed-by labels (the renderer adds those where they belong)', () => {
    const labels = podLabels(validateAppSpec(minimalRaw()));
    assert.equal(DEPLOYMENT_LABEL in labels, false);
    assert.equal(MANAGED_BY_LABEL in labels, false);
  });
});

describe('appSelector', () => {
  test('selects the app by name and manager', () => {
    assert.equal(appSelector({ name: 'awesome-api' }), 'name=awesome-api,app.kubernetes.io/managed-by=deployflow');
  });
  test('constants', () => {
    assert.deepEqual([MANAGED_BY_LABEL, MANAGED_BY, DEPLOYMENT_LABEL], ['app.kubernetes.io/managed-by', 'deployflow', 'deployment']);
    assert.deepEqual([...REQUIRED_LABELS], ['name', 'app', 'tier', 'role']);
  });
});
