// The bench report's stepwise floor (bench/report.ts): each step waits for its slowest new pod.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { stepwiseFloorMs } from '../../bench/report.js';

const settings = { readyDelayMs: 1000, readyJitterMs: 500, minReadySeconds: 0, nodes: 8, concurrencyReplicas: 3 };

describe('bench stepwise floor', () => {
  test('one pod per step waits the mean readiness delay per step', () => {
    assert.equal(stepwiseFloorMs(10, 1, settings), 10 * 1250);
  });

  test('a step of k pods waits for the slowest of k: 10 replicas at 25 % are steps of 3, 3, 3 and 1', () => {
    assert.equal(stepwiseFloorMs(10, '25%', settings), 3 * (1000 + (500 * 3) / 4) + 1250);
  });

  test('minReadySeconds adds to every step', () => {
    assert.equal(stepwiseFloorMs(2, 1, { ...settings, minReadySeconds: 2 }), 2 * 3250);
  });
});
