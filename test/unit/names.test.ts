import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ANNOTATIONS, ENVIRONMENT_SECRET, SEARCH_ATTRIBUTES, parseWorkflowId, scheduleIdFor, taskQueueFor, validateEnvironmentName, workflowIdFor,
} from '../../domain/index.js';
import { issuesOf } from './spec-fixture.js';

describe('workflow ids', () => {
  test('deploy/<env>/<ns>/<name>', () => {
    assert.equal(workflowIdFor('production', 'default', 'awesome-api'), 'deploy/production/default/awesome-api');
  });
  test('round-trips', () => {
    assert.deepEqual(parseWorkflowId(workflowIdFor('staging', 'team-a', 'web')), { environment: 'staging', namespace: 'team-a', name: 'web' });
  });
  const foreign = ['other-workflow', 'deploy/prod/default', 'deploy/prod/default/a/b', 'deploy//default/a', 'redeploy/prod/default/a', ''];
  for (const id of foreign) test(`not ours: ${JSON.stringify(id)}`, () => assert.equal(parseWorkflowId(id), undefined));
});

describe('task queues and schedules', () => {
  test('one task queue per environment', () => assert.equal(taskQueueFor('production'), 'deploy-production'));
  test('per-node schedule id differs from the deploy id', () => {
    assert.equal(scheduleIdFor('production', 'monitoring', 'dd-agent'), 'per-node/production/monitoring/dd-agent');
    assert.equal(parseWorkflowId(scheduleIdFor('p', 'n', 'a')), undefined);
  });
});

describe('validateEnvironmentName', () => {
  const cases: Array<[unknown, string | undefined]> = [
    ['production', undefined],
    ['staging-2', undefined],
    ['a'.repeat(63), undefined],
    ['', 'is required'],
    [undefined, 'is required'],
    [3, 'is required'],
    ['Production', 'must be a DNS-1123 label'],
    ['prod/eu', 'must be a DNS-1123 label'],
    ['a'.repeat(64), 'must be a DNS-1123 label'],
  ];
  for (const [env, rule] of cases) {
    test(`${JSON.stringify(env)} -> ${rule ?? 'valid'}`, () => {
      const issues = issuesOf(() => validateEnvironmentName(env));
      if (rule === undefined) {
        assert.deepEqual(issues, []);
        assert.equal(validateEnvironmentName(env), env);
      } else {
        assert.equal(issues.length, 1);
        assert.equal(issues[0]?.field, 'environment');
        assert.ok(issues[0]?.rule.startsWith(rule), issues[0]?.rule);
      }
    });
  }
});

describe('shared constants', () => {
  test('search attributes', () => {
    assert.deepEqual(SEARCH_ATTRIBUTES, {
      environment: 'DeployEnvironment', app: 'DeployApp', image: 'DeployImage', phase: 'DeployPhase', requestedBy: 'DeployRequestedBy',
    });
  });
  test('environment secret', () => {
    assert.deepEqual(ENVIRONMENT_SECRET, { name: 'environment', key: 'environment', mountPath: '/etc/secrets', envVar: 'ENVIRONMENT' });
  });
  test('annotations live under deployflow.io and are distinct', () => {
    const values = Object.values(ANNOTATIONS);
    assert.ok(values.every((v) => v.startsWith('deployflow.io/')));
    assert.equal(new Set(values).size, values.length);
    assert.equal(ANNOTATIONS.appSpec, 'deployflow.io/app-spec');
    assert.equal(ANNOTATIONS.templateHash, 'deployflow.io/template-hash');
  });
});
