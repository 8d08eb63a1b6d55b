import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PHASES, TERMINAL_PHASES, isPhase, isTerminalPhase } from '../../domain/index.js';

describe('phases', () => {
  test("the design's twelve phases in this order, and Finishing after the last step", () => {
    assert.deepEqual(
      [...PHASES],
      ['Validating', 'EnsuringSecret', 'Rendering', 'Applying', 'RollingOut', 'Paused', 'AwaitingApproval', 'Stuck', 'RollingBack', 'Finishing', 'Succeeded', 'RolledBack', 'Failed'],
    );
  });

  test('terminal phases', () => {
    for (const p of PHASES) assert.equal(isTerminalPhase(p), ['Succeeded', 'RolledBack', 'Failed'].includes(p), p);
    assert.deepEqual([...TERMINAL_PHASES], ['Succeeded', 'RolledBack', 'Failed']);
  });

  test('isPhase', () => {
    assert.equal(isPhase('Stuck'), true);
    assert.equal(isPhase('stuck'), false);
    assert.equal(isPhase(undefined), false);
  });
});
