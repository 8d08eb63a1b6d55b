import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { namesSteps, resetPointOf, stepsBegun, type ScheduledActivity } from '../../domain/reset-point.js';

const scheduled = (activityId: string, workflowTaskCompletedEventId: number): ScheduledActivity => ({ activityId, workflowTaskCompletedEventId });

const history: ScheduledActivity[] = [
  scheduled('1', 4), // admission: a numbered activity id, no step
  scheduled('step-1-new', 20),
  scheduled('step-1-old', 29),
  scheduled('step-2-new', 38),
  scheduled('step-2-new', 47), // the same wait again after a stall: step 2 began at 38
  scheduled('rollback-1-old', 58),
];

describe('reset points', () => {
  test('a step begins at the workflow task that scheduled its first wait', () => {
    assert.deepEqual(resetPointOf(history, 1), { eventId: 20 });
    assert.deepEqual(resetPointOf(history, 2), { eventId: 38 });
  });

  test('rollback waits are not forward steps', () => {
    assert.deepEqual(stepsBegun(history), [1, 2]);
  });

  test('a step the run never began is refused, saying which it ran', () => {
    assert.deepEqual(resetPointOf(history, 3), { refusal: 'it ran steps 1–2 in this run, not step 3' });
    assert.deepEqual(resetPointOf(history.slice(0, 1), 1), { refusal: 'it began no step' });
  });

  test('a step that is one activity (`step-3`) begins where that activity was scheduled', () => {
    const oneActivity = [scheduled('1', 4), scheduled('step-1', 14), scheduled('step-2', 20), scheduled('step-2', 26), scheduled('rollback-1', 33)];
    assert.deepEqual(resetPointOf(oneActivity, 2), { eventId: 20 });
    assert.deepEqual(stepsBegun(oneActivity), [1, 2]);
    assert.equal(namesSteps(oneActivity), true);
    assert.equal(namesSteps([scheduled('step-x', 4), scheduled('steps-1', 9)]), false);
  });

  test('steps taken back to back: each begins where the activity that took it was scheduled', () => {
    // step-1 took steps 1-3, stopped by a pause in step 4; the rest of step 4; then steps 5 and 6.
    const backToBack = [scheduled('1', 4), { ...scheduled('step-1', 14), steps: 4 }, { ...scheduled('step-4', 22), steps: 1 }, { ...scheduled('step-5', 30), steps: 2 }];
    assert.deepEqual(resetPointOf(backToBack, 3), { eventId: 14 });
    assert.deepEqual(resetPointOf(backToBack, 4), { eventId: 14 }, 'where step 4 began, not where it was finished');
    assert.deepEqual(resetPointOf(backToBack, 6), { eventId: 30 });
    assert.deepEqual(stepsBegun(backToBack), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(resetPointOf(backToBack, 7), { refusal: 'it ran steps 1–6 in this run, not step 7' });
  });

  test('deploys started before reset-safe rollouts are told apart', () => {
    assert.equal(namesSteps(history), true);
    assert.equal(namesSteps([scheduled('1', 4), scheduled('7', 12)]), false);
  });
});
