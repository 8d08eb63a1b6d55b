import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  InvalidSpecError, availableToShrink, countSteps, isRolloutDone, nextScaleDown, nextScaleUp, planFirstDeploy, planRollout, resolveLimits,
  type RolloutLimits, type RolloutState, type StrategySpec,
} from '../../domain/index.js';

type Limits = Pick<StrategySpec, 'maxSurge' | 'maxUnavailable'>;

describe('resolveLimits', () => {
  const cases: Array<[Limits, number, RolloutLimits]> = [
    [{ maxSurge: 1, maxUnavailable: 0 }, 10, { maxSurge: 1, maxUnavailable: 0 }],
    [{ maxSurge: '25%', maxUnavailable: '25%' }, 10, { maxSurge: 3, maxUnavailable: 2 }],
    [{ maxSurge: '25%', maxUnavailable: '25%' }, 4, { maxSurge: 1, maxUnavailable: 1 }],
    [{ maxSurge: '25%', maxUnavailable: '25%' }, 1, { maxSurge: 1, maxUnavailable: 0 }],
    [{ maxSurge: '29%', maxUnavailable: '29%' }, 100, { maxSurge: 29, maxUnavailable: 29 }],
    [{ maxSurge: '100%', maxUnavailable: '0%' }, 3, { maxSurge: 3, maxUnavailable: 0 }],
    [{ maxSurge: 0, maxUnavailable: 1 }, 5, { maxSurge: 0, maxUnavailable: 1 }],
    [{ maxSurge: 3, maxUnavailable: 0 }, 2, { maxSurge: 3, maxUnavailable: 0 }],
    // Scaling to zero has nothing to roll, so even "no room" is fine.
    [{ maxSurge: 0, maxUnavailable: 0 }, 0, { maxSurge: 0, maxUnavailable: 0 }],
    [{ maxSurge: '25%', maxUnavailable: '25%' }, 0, { maxSurge: 0, maxUnavailable: 0 }],
  ];
  for (const [strategy, desired, expected] of cases) {
    test(`${JSON.stringify(strategy)} of ${desired}`, () => assert.deepEqual(resolveLimits(strategy, desired), expected));
  }

  const refused: Array<[Limits, number, string]> = [
    [{ maxSurge: 0, maxUnavailable: 0 }, 5, 'strategy'],
    [{ maxSurge: 0, maxUnavailable: '25%' }, 3, 'strategy'],
    [{ maxSurge: 'lots', maxUnavailable: 0 }, 3, 'strategy.maxSurge'],
    [{ maxSurge: 1, maxUnavailable: -1 }, 3, 'strategy.maxUnavailable'],
  ];
  for (const [strategy, desired, field] of refused) {
    test(`refuses ${JSON.stringify(strategy)} of ${desired}`, () => {
      assert.throws(() => resolveLimits(strategy, desired), (e: unknown) => e instanceof InvalidSpecError && e.issues[0]?.field === field);
    });
  }
});

describe('planRollout: step tables', () => {
  const cases: Array<{ name: string; desired: number; old: number; limits: RolloutLimits; steps: Array<[newTarget: number, oldTarget: number]> }> = [
    { name: 'surge 1, unavailable 0', desired: 3, old: 3, limits: { maxSurge: 1, maxUnavailable: 0 }, steps: [[1, 2], [2, 1], [3, 0]] },
    { name: 'surge 25%, unavailable 25% of 10', desired: 10, old: 10, limits: resolveLimits({ maxSurge: '25%', maxUnavailable: '25%' }, 10), steps: [[3, 5], [8, 0], [10, 0]] },
    { name: 'surge 25%, unavailable 25% of 4', desired: 4, old: 4, limits: resolveLimits({ maxSurge: '25%', maxUnavailable: '25%' }, 4), steps: [[1, 2], [3, 0], [4, 0]] },
    // perNode: no room to surge, so old pods go first and new ones follow.
    { name: 'surge 0, unavailable 1', desired: 3, old: 3, limits: { maxSurge: 0, maxUnavailable: 1 }, steps: [[0, 2], [1, 1], [2, 0], [3, 0]] },
    { name: 'surge 3 on 2 replicas', desired: 2, old: 2, limits: { maxSurge: 3, maxUnavailable: 0 }, steps: [[2, 0]] },
    { name: 'desired shrank: old had 5, desired 3', desired: 3, old: 5, limits: { maxSurge: 1, maxUnavailable: 0 }, steps: [[0, 3], [1, 2], [2, 1], [3, 0]] },
    { name: 'desired grew: old had 2, desired 5', desired: 5, old: 2, limits: { maxSurge: 1, maxUnavailable: 0 }, steps: [[4, 1], [5, 0]] },
    { name: 'old RC already at 0', desired: 3, old: 0, limits: { maxSurge: 1, maxUnavailable: 0 }, steps: [[3, 0]] },
    { name: 'scale to zero', desired: 0, old: 3, limits: { maxSurge: 0, maxUnavailable: 0 }, steps: [[0, 0]] },
    { name: 'nothing at all', desired: 0, old: 0, limits: { maxSurge: 1, maxUnavailable: 0 }, steps: [] },
  ];
  for (const c of cases) {
    test(`${c.name}`, () => {
      const steps = planRollout(c.desired, c.old, c.limits);
      assert.deepEqual(steps.map((s) => [s.newTarget, s.oldTarget]), c.steps);
      assert.equal(countSteps(c.desired, c.old, c.limits), c.steps.length);
    });
  }

  test('resumes from a partly scaled new RC', () => {
    assert.deepEqual(planRollout(3, 2, { maxSurge: 1, maxUnavailable: 0 }, 1), [{ newTarget: 2, oldTarget: 1 }, { newTarget: 3, oldTarget: 0 }]);
  });

  test('a new RC above desired comes down to it', () => {
    assert.deepEqual(planRollout(2, 0, { maxSurge: 1, maxUnavailable: 0 }, 4), [{ newTarget: 2, oldTarget: 0 }]);
  });

  test('refuses limits that can never move', () => {
    assert.throws(() => planRollout(3, 3, { maxSurge: 0, maxUnavailable: 0 }), InvalidSpecError);
  });
});

const state = (desired: number, oldReplicas: number, newReplicas: number, oldAvailable = oldReplicas, newAvailable = newReplicas): RolloutState => ({
  desired, oldReplicas, newReplicas, oldAvailable, newAvailable,
});

describe('nextScaleUp', () => {
  const cases: Array<[string, RolloutState, RolloutLimits, number]> = [
    ['surge room', state(3, 3, 0), { maxSurge: 1, maxUnavailable: 0 }, 1],
    ['no surge room', state(3, 3, 1), { maxSurge: 1, maxUnavailable: 0 }, 1],
    ['capped at desired', state(3, 0, 1), { maxSurge: 5, maxUnavailable: 0 }, 3],
    ['never below current', state(3, 5, 2), { maxSurge: 0, maxUnavailable: 1 }, 2],
    ['unavailable new pods still count as pods', state(3, 2, 2, 2, 0), { maxSurge: 1, maxUnavailable: 0 }, 2],
    ['already at desired', state(3, 1, 3), { maxSurge: 1, maxUnavailable: 0 }, 3],
    ['above desired comes down', state(3, 0, 5), { maxSurge: 1, maxUnavailable: 0 }, 3],
  ];
  for (const [name, s, limits, expected] of cases) test(name, () => assert.equal(nextScaleUp(s, limits), expected));
});

describe('nextScaleDown', () => {
  const cases: Array<[string, RolloutState, RolloutLimits, number]> = [
    ['frees what new pods made available', state(3, 3, 1), { maxSurge: 1, maxUnavailable: 0 }, 2],
    ['waits for unavailable new pods', state(3, 3, 1, 3, 0), { maxSurge: 1, maxUnavailable: 0 }, 3],
    ['uses maxUnavailable', state(3, 3, 0), { maxSurge: 0, maxUnavailable: 1 }, 2],
    ['never below zero', state(3, 1, 3), { maxSurge: 1, maxUnavailable: 2 }, 0],
    ['already zero', state(3, 0, 3), { maxSurge: 1, maxUnavailable: 0 }, 0],
    ['maxUnavailable beyond desired', state(2, 2, 0), { maxSurge: 0, maxUnavailable: 5 }, 0],
    // Unready old pods serve nothing: dropping them costs no availability.
    ['drops unready old pods first', state(3, 3, 1, 1, 1), { maxSurge: 1, maxUnavailable: 0 }, 2],
    ['old never ready at all', state(3, 3, 1, 0, 1), { maxSurge: 1, maxUnavailable: 0 }, 2],
    ['keeps ready old pods while new are not ready', state(3, 3, 1, 3, 0), { maxSurge: 0, maxUnavailable: 1 }, 2],
  ];
  for (const [name, s, limits, expected] of cases) test(name, () => assert.equal(nextScaleDown(s, limits), expected));
});

describe('availableToShrink', () => {
  const cases: Array<[string, RolloutState, RolloutLimits, number]> = [
    ['surge only: the first new pod lets one old one go', state(10, 10, 3, 10, 0), { maxSurge: 3, maxUnavailable: 0 }, 1],
    ['one old pod gone already: the second new pod', state(10, 9, 4, 9, 1), { maxSurge: 3, maxUnavailable: 0 }, 2],
    ['room to be unavailable: no new pod needed', state(10, 10, 2, 10, 0), { maxSurge: 2, maxUnavailable: 2 }, 0],
    ['a partly unready old side: the first new pod', state(3, 3, 1, 1, 0), { maxSurge: 1, maxUnavailable: 0 }, 1],
    ['nothing old left: every new pod', state(3, 0, 3, 0, 1), { maxSurge: 1, maxUnavailable: 0 }, 3],
    ['no count lets old shrink: every new pod', state(5, 5, 1, 5, 0), { maxSurge: 1, maxUnavailable: 0 }, 1],
  ];
  for (const [name, s, limits, expected] of cases) {
    test(name, () => {
      const n = availableToShrink(s, limits);
      assert.equal(n, expected);
      if (s.oldReplicas > 0 && n < s.newReplicas) {
        assert.ok(nextScaleDown({ ...s, newAvailable: n }, limits) < s.oldReplicas, 'that many lets the old side shrink');
        if (n > 0) assert.equal(nextScaleDown({ ...s, newAvailable: n - 1 }, limits), s.oldReplicas, 'one fewer does not');
      }
    });
  }
});

describe('isRolloutDone', () => {
  const cases: Array<[RolloutState, boolean]> = [
    [state(3, 0, 3), true],
    [state(3, 0, 3, 0, 2), false],
    [state(3, 1, 3), false],
    [state(3, 0, 2), false],
    [state(0, 0, 0), true],
  ];
  for (const [s, expected] of cases) test(JSON.stringify(s), () => assert.equal(isRolloutDone(s), expected));
});

describe('planFirstDeploy', () => {
  test('creates at full size in one step', () => {
    assert.deepEqual(planFirstDeploy(5, { maxSurge: 1, maxUnavailable: 0 }), [{ newTarget: 5, oldTarget: 0 }]);
  });
  test('nothing to do for zero replicas', () => assert.deepEqual(planFirstDeploy(0), []));
});

describe('replacing an old version that never became ready', () => {
  // kubectl's "volatile old controller": without counting unready old pods as removable,
  // surge 1 / unavailable 0 would wait forever for availability that never comes.
  for (const limits of [{ maxSurge: 1, maxUnavailable: 0 }, { maxSurge: 0, maxUnavailable: 1 }, { maxSurge: 2, maxUnavailable: 1 }]) {
    test(JSON.stringify(limits), () => {
      const s = state(4, 4, 0, 0, 0);
      for (let i = 0; i < 20 && !isRolloutDone(s); i++) {
        s.newReplicas = s.newAvailable = nextScaleUp(s, limits);
        assert.ok(s.oldReplicas + s.newReplicas <= s.desired + limits.maxSurge, `surge exceeded at step ${i}`);
        s.oldReplicas = nextScaleDown(s, limits);
        s.oldAvailable = 0;
      }
      assert.ok(isRolloutDone(s), JSON.stringify(s));
    });
  }
});
