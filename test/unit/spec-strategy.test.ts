import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateAppSpec } from '../../domain/index.js';
import { assertIssues, edit, issuesOf, minimalRaw, sampleRaw, type ExpectedIssue } from './spec-fixture.js';

const INT_OR_PERCENT = 'must be a non-negative integer or a percentage like "25%"';
const BOTH_ZERO: ExpectedIssue = ['strategy', 'maxSurge and maxUnavailable cannot both be 0'];
const HOST_PORT = { 'containers[0].ports': [{ name: 'statsd', containerPort: 8125, hostPort: 8125, protocol: 'UDP' }] };

type Case = { name: string; set: Record<string, unknown>; expect: ExpectedIssue[] };

function runTable(base: () => Record<string, unknown>, cases: Case[]): void {
  for (const c of cases) {
    test(c.name, () => assertIssues(issuesOf(() => validateAppSpec(edit(base(), c.set))), c.expect, c.name));
  }
}

describe('strategy', () => {
  runTable(sampleRaw, [
    { name: 'not a mapping', set: { strategy: 'rolling' }, expect: [['strategy', 'must be a mapping']] },
    { name: 'misspelled key', set: { 'strategy.maxsurge': 2 }, expect: [['strategy.maxsurge', 'unknown field (did you mean "maxSurge"?)']] },
    { name: 'maxSurge negative', set: { 'strategy.maxSurge': -1 }, expect: [['strategy.maxSurge', INT_OR_PERCENT]] },
    { name: 'maxSurge fraction', set: { 'strategy.maxSurge': 1.5 }, expect: [['strategy.maxSurge', INT_OR_PERCENT]] },
    { name: 'maxSurge bare string number', set: { 'strategy.maxSurge': '2' }, expect: [['strategy.maxSurge', INT_OR_PERCENT]] },
    { name: 'maxSurge over 100%', set: { 'strategy.maxSurge': '101%' }, expect: [['strategy.maxSurge', INT_OR_PERCENT]] },
    { name: 'maxUnavailable fractional percent', set: { 'strategy.maxUnavailable': '2.5%' }, expect: [['strategy.maxUnavailable', INT_OR_PERCENT]] },
    { name: 'percentages', set: { 'strategy.maxSurge': '25%', 'strategy.maxUnavailable': '100%' }, expect: [] },
    { name: 'both literally 0', set: { 'strategy.maxSurge': 0 }, expect: [BOTH_ZERO] },
    { name: 'both literally 0 with 0 replicas', set: { replicas: 0, 'strategy.maxSurge': '0%' }, expect: [BOTH_ZERO] },
    // 25% of 3 rounds down to 0.
    { name: 'both resolve to 0 on 3 replicas', set: { 'strategy.maxSurge': 0, 'strategy.maxUnavailable': '25%' }, expect: [BOTH_ZERO] },
    { name: '25% unavailable fine on 4 replicas', set: { replicas: 4, 'strategy.maxSurge': 0, 'strategy.maxUnavailable': '25%' }, expect: [] },
    { name: 'nothing to roll on 0 replicas', set: { replicas: 0, 'strategy.maxSurge': 0, 'strategy.maxUnavailable': '25%' }, expect: [] },
    // Surge rounds up, so any non-zero percentage gives room on one replica.
    { name: '1% surge on 1 replica', set: { replicas: 1, 'strategy.maxSurge': '1%' }, expect: [] },
    { name: 'minReadySeconds negative', set: { 'strategy.minReadySeconds': -1 }, expect: [['strategy.minReadySeconds', 'must be >= 0']] },
    { name: 'minReadySeconds too long', set: { 'strategy.minReadySeconds': 3601 }, expect: [['strategy.minReadySeconds', 'must be <= 3600']] },
    { name: 'progressDeadlineSeconds 0', set: { 'strategy.progressDeadlineSeconds': 0 }, expect: [['strategy.progressDeadlineSeconds', 'must be >= 1']] },
    { name: 'progressDeadlineSeconds over a day', set: { 'strategy.progressDeadlineSeconds': 86401 }, expect: [['strategy.progressDeadlineSeconds', 'must be <= 86400']] },
    {
      name: 'deadline not beyond minReadySeconds',
      set: { 'strategy.minReadySeconds': 60, 'strategy.progressDeadlineSeconds': 60 },
      expect: [['strategy.progressDeadlineSeconds', 'must be greater than strategy.minReadySeconds (60)']],
    },
    { name: 'decisionTimeoutSeconds 0', set: { 'strategy.decisionTimeoutSeconds': 0 }, expect: [['strategy.decisionTimeoutSeconds', 'must be >= 1']] },
    { name: 'decisionTimeoutSeconds over a week', set: { 'strategy.decisionTimeoutSeconds': 604801 }, expect: [['strategy.decisionTimeoutSeconds', 'must be <= 604800']] },
    { name: 'onFailure unknown', set: { 'strategy.onFailure': 'abort' }, expect: [['strategy.onFailure', 'must be one of rollback, wait']] },
    { name: 'approval unknown', set: { 'strategy.approval': 'manual' }, expect: [['strategy.approval', 'must be one of none, after-first-step']] },
    { name: 'wait and canary gate', set: { 'strategy.onFailure': 'wait', 'strategy.approval': 'after-first-step' }, expect: [] },
  ]);

  test('a partial strategy keeps defaults for the rest', () => {
    const spec = validateAppSpec(edit(minimalRaw(), { 'strategy.maxUnavailable': '25%' }));
    assert.deepEqual(spec.strategy, {
      maxSurge: 1,
      maxUnavailable: '25%',
      minReadySeconds: 0,
      progressDeadlineSeconds: 300,
      onFailure: 'rollback',
      decisionTimeoutSeconds: 3600,
      approval: 'none',
    });
  });
});

describe('perNode', () => {
  const perNode = () => edit(minimalRaw(), { perNode: true, ...HOST_PORT });
  const SURGE_RULE = 'must be 0 when perNode is true (a surge pod cannot schedule beside the old one on its hostPort)';
  runTable(perNode, [
    { name: 'valid with a hostPort', set: {}, expect: [] },
    { name: 'no hostPort', set: { 'containers[0].ports': [{ containerPort: 8125 }] }, expect: [['perNode', 'requires a hostPort on at least one container port']] },
    { name: 'no ports at all', set: { 'containers[0].ports': [] }, expect: [['perNode', 'requires a hostPort on at least one container port']] },
    {
      name: 'hostPort on a second container counts',
      set: { 'containers[0].ports': [], 'containers[1]': { name: 'agent', image: 'registry.example/agent', ports: [{ containerPort: 1, hostPort: 1 }] } },
      expect: [],
    },
    { name: 'maxSurge 1', set: { 'strategy.maxSurge': 1 }, expect: [['strategy.maxSurge', SURGE_RULE]] },
    { name: 'maxSurge 25%', set: { 'strategy.maxSurge': '25%' }, expect: [['strategy.maxSurge', SURGE_RULE]] },
    { name: 'maxSurge 0 explicit', set: { 'strategy.maxSurge': 0 }, expect: [] },
    { name: 'maxSurge 0%', set: { 'strategy.maxSurge': '0%' }, expect: [] },
    { name: 'maxUnavailable 0', set: { 'strategy.maxUnavailable': 0 }, expect: [['strategy.maxUnavailable', /^must be at least 1 when perNode is true/]] },
    { name: 'maxUnavailable percent', set: { 'strategy.maxUnavailable': '10%' }, expect: [['strategy.maxUnavailable', /^must be an integer when perNode is true/]] },
    { name: 'maxUnavailable 3', set: { 'strategy.maxUnavailable': 3 }, expect: [] },
    {
      name: 'everything wrong at once',
      set: { 'containers[0].ports': [], 'strategy.maxSurge': 2, 'strategy.maxUnavailable': 0 },
      expect: [
        ['perNode', 'requires a hostPort on at least one container port'],
        ['strategy.maxSurge', SURGE_RULE],
        ['strategy.maxUnavailable', /^must be at least 1/],
      ],
    },
  ]);

  test('defaults to maxSurge 0 and maxUnavailable 1', () => {
    const { strategy } = validateAppSpec(perNode());
    assert.equal(strategy.maxSurge, 0);
    assert.equal(strategy.maxUnavailable, 1);
  });

  test('keeps an explicit maxUnavailable', () => {
    assert.equal(validateAppSpec(edit(perNode(), { 'strategy.maxUnavailable': 2 })).strategy.maxUnavailable, 2);
  });

  test('non-perNode defaults are untouched', () => {
    const { strategy } = validateAppSpec(minimalRaw());
    assert.deepEqual([strategy.maxSurge, strategy.maxUnavailable], [1, 0]);
  });
});
