import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHASES, type Phase } from '../../domain/phases.js';
import { OPERATOR_COMMANDS, nextActionsFor, operatorVerdict } from '../../domain/operator-table.js';
import { HOLD_DEFAULTS, holdLimits, validateStrategy } from '../../domain/spec-strategy.js';
import { Issues } from '../../domain/spec-checks.js';

describe('the operator table', () => {
  test('the next actions are exactly the commands the validators accept, for every phase', () => {
    for (const phase of PHASES) {
      for (const paused of [false, true]) {
        const accepted = OPERATOR_COMMANDS.filter((c) => operatorVerdict(c, phase, paused) === true);
        assert.deepEqual([...nextActionsFor(phase, paused)].sort(), [...accepted].sort(), `${phase} paused=${paused}`);
      }
    }
  });

  test('what each phase offers, the way forward first', () => {
    const offers: Partial<Record<Phase, string[]>> = {
      RollingOut: ['pause', 'rollback'],
      Paused: ['resume', 'rollback'],
      AwaitingApproval: ['approve', 'rollback'],
      Stuck: ['retry', 'rollback'],
      RollingBack: [],
      Finishing: [],
      Succeeded: [],
    };
    for (const [phase, actions] of Object.entries(offers)) assert.deepEqual(nextActionsFor(phase as Phase, false), actions, phase);
    assert.deepEqual(nextActionsFor('RollingOut', true), ['resume', 'rollback'], 'a pause asked for mid-step shows resume');
  });

  test('after the last step nothing can take effect any more, and the refusal says why', () => {
    for (const command of OPERATOR_COMMANDS) {
      const verdict = operatorVerdict(command, 'Finishing', false);
      assert.notEqual(verdict, true, command);
    }
    assert.match(String(operatorVerdict('rollback', 'Finishing', false)), /rollout is complete/);
    assert.match(String(operatorVerdict('pause', 'Finishing', false)), /rollout is complete/);
  });

  test('ended deploys refuse everything, naming the end', () => {
    for (const phase of ['Succeeded', 'RolledBack', 'Failed'] as const) {
      for (const command of OPERATOR_COMMANDS) assert.equal(operatorVerdict(command, phase, true), `the deploy has ended (${phase})`);
    }
  });
});

describe('hold limits', () => {
  test('absent fields take the documented defaults and stay absent in the spec', () => {
    const issues = new Issues();
    const strategy = validateStrategy({}, { replicas: 3, perNode: false }, issues);
    assert.equal(issues.list.length, 0);
    assert.equal('approvalTimeoutSeconds' in strategy, false);
    assert.equal('maxPauseSeconds' in strategy, false);
    assert.deepEqual(holdLimits(strategy), HOLD_DEFAULTS);
  });

  test('written fields are checked and kept', () => {
    const issues = new Issues();
    const strategy = validateStrategy({ approvalTimeoutSeconds: 600, maxPauseSeconds: 30 }, { replicas: 3, perNode: false }, issues);
    assert.deepEqual(holdLimits(strategy), { approvalTimeoutSeconds: 600, maxPauseSeconds: 30 });
    const bad = new Issues();
    validateStrategy({ approvalTimeoutSeconds: 0, maxPauseSeconds: 30 * 86400 }, { replicas: 3, perNode: false }, bad);
    assert.deepEqual(
      bad.list.map((i) => i.field),
      ['strategy.approvalTimeoutSeconds', 'strategy.maxPauseSeconds'],
    );
  });
});
