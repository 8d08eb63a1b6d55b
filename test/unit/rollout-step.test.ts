// The step both the workflow and the step activity run (domain/rollout-step.ts),
// and the step activity around fake calls (activities/roll-step.ts): the same
// scales and waits in the same order, member sizes by revision, and refusals
// of a malformed step before anything is scaled.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { memberSizes, runRolloutStep, type StepShape, type StepSide } from '../../domain/rollout-step.js';
import type { RolloutState } from '../../domain/rollout.js';
import { ApplicationFailure } from '@temporalio/common';
import { rollStep, type RollStepInput } from '../../activities/roll-step.js';
import type { PodWaitInput } from '../../activities/pods.js';
import type { PlanCheckInput } from '../../activities/rc-sizes.js';

/** Runs one step on plain numbers, recording every call. */
async function stepOf(start: RolloutState, limits = { maxSurge: 1, maxUnavailable: 0 }, shape: StepShape = {}) {
  const s = { ...start };
  const calls: string[] = [];
  await runRolloutStep(
    {
      state: () => ({ ...s }),
      async scale(side: StepSide, total: number) {
        calls.push(`scale ${side} ${total}`);
        if (side === 'to') s.newReplicas = total;
        else s.oldReplicas = total;
      },
      async wait(side: StepSide, minAvailable: number, maxPods: number) {
        calls.push(`wait ${side} ${minAvailable}..${maxPods}`);
        // A step that replaces as pods turn ready goes on with the fewest it asked for.
        if (side === 'to') s.newAvailable = shape.replaceAsReady ? Math.max(s.newAvailable, minAvailable) : s.newReplicas;
        else s.oldAvailable = s.oldReplicas;
      },
    },
    limits,
    shape,
  );
  return { calls, after: s };
}

describe('rollout step', () => {
  test('surge 1: one up, wait for it, one down, wait for it', async () => {
    const { calls, after } = await stepOf({ desired: 3, oldReplicas: 3, newReplicas: 0, oldAvailable: 3, newAvailable: 0 });
    assert.deepEqual(calls, ['scale to 1', 'wait to 1..1', 'scale from 2', 'wait from 0..2']);
    assert.deepEqual([after.newReplicas, after.oldReplicas], [1, 2]);
  });

  test('a step whose scale-up was done already (a retry) only waits, then shrinks', async () => {
    const { calls } = await stepOf({ desired: 3, oldReplicas: 3, newReplicas: 1, oldAvailable: 3, newAvailable: 0 });
    // No room to grow (3 old + 1 new = desired + surge): the step waits for the pod it has, then shrinks.
    assert.deepEqual(calls, ['wait to 1..1', 'scale from 2', 'wait from 0..2']);
  });

  test('replacing as pods turn ready: surge 3 waits for the first new pod, then lets one old pod go', async () => {
    const limits = { maxSurge: 3, maxUnavailable: 0 };
    const start = { desired: 10, oldReplicas: 10, newReplicas: 0, oldAvailable: 10, newAvailable: 0 };
    const batch = await stepOf(start, limits);
    assert.deepEqual(batch.calls, ['scale to 3', 'wait to 3..3', 'scale from 7', 'wait from 0..7'], 'the whole batch first');
    const early = await stepOf(start, limits, { replaceAsReady: true });
    assert.deepEqual(early.calls, ['scale to 3', 'wait to 1..3', 'scale from 9', 'wait from 0..9']);
    // The next step grows by the room that freed and waits for the second new pod.
    const next = await stepOf(early.after, limits, { replaceAsReady: true });
    assert.deepEqual(next.calls, ['scale to 4', 'wait to 2..4', 'scale from 8', 'wait from 0..8']);
  });

  test('replacing as pods turn ready: the last step still waits for every new pod', async () => {
    const { calls } = await stepOf({ desired: 3, oldReplicas: 0, newReplicas: 3, oldAvailable: 0, newAvailable: 1 }, undefined, { replaceAsReady: true });
    assert.deepEqual(calls, ['wait to 3..3']);
  });

  test('nothing to do on the new side and nothing to shrink: no call', async () => {
    const { calls } = await stepOf({ desired: 3, oldReplicas: 0, newReplicas: 3, oldAvailable: 0, newAvailable: 3 });
    assert.deepEqual(calls, []);
  });

  test('member sizes: shrinking empties the oldest first; growing refills the newest, never past a target', () => {
    const members = [
      { name: 'a-1', revision: 1, replicas: 2, target: 2 },
      { name: 'a-2', revision: 2, replicas: 1, target: 3 },
    ];
    assert.deepEqual(Object.fromEntries(memberSizes(members, 2)), { 'a-2': 1, 'a-1': 1 });
    assert.deepEqual(Object.fromEntries(memberSizes(members, 0)), { 'a-2': 0, 'a-1': 0 });
    assert.deepEqual(Object.fromEntries(memberSizes(members, 5)), { 'a-2': 3, 'a-1': 2 });
  });
});

describe('step activity', () => {
  const unchecked = async () => {};
  const input = (over: Partial<RollStepInput> = {}): RollStepInput => ({
    namespace: 'default',
    app: 'api',
    limits: { maxSurge: 1, maxUnavailable: 0 },
    minReadySeconds: 0,
    progressDeadlineSeconds: 60,
    detectTampering: true,
    to: { label: 'api-new', members: [{ name: 'api-new', revision: 2, replicas: 0, target: 2 }], available: 0 },
    from: { label: 'old RCs of api', members: [{ name: 'api-old', revision: 1, replicas: 2, target: 2 }], available: 2 },
    ...over,
  });

  test('scales compare-and-set, waits with the sizes it set as the tamper check, and hands both sides back', async () => {
    const log: string[] = [];
    const waits: PodWaitInput[] = [];
    const result = await rollStep(input(), {
      async scale({ name, replicas, from }) {
        log.push(`scale ${name} ${from}→${replicas}`);
      },
      async wait(w, { side }) {
        waits.push(w);
        log.push(`wait ${side} ${w.minAvailable}..${w.maxPods}`);
        return { total: w.maxPods, ready: w.maxPods, available: w.maxPods, terminating: 0, problems: [] };
      },
      checkPlan: unchecked,
    });
    assert.deepEqual(log, ['scale api-new 0→1', 'wait new 1..1', 'scale api-old 2→1', 'wait old 0..1']);
    assert.deepEqual(waits[1]!.expect, [{ name: 'api-new', replicas: 1 }, { name: 'api-old', replicas: 1 }]);
    assert.equal(waits[0]!.stalePlanAtStart, true);
    assert.deepEqual(result, { to: { replicas: { 'api-new': 1 }, available: 1 }, from: { replicas: { 'api-old': 1 }, available: 1 }, steps: 1 });
  });

  test('asked to replace as pods turn ready, it shrinks the old side after the first new pod, by what that pod allows', async () => {
    const log: string[] = [];
    const four = input({
      limits: { maxSurge: 2, maxUnavailable: 0 },
      to: { label: 'api-new', members: [{ name: 'api-new', revision: 2, replicas: 0, target: 4 }], available: 0 },
      from: { label: 'old RCs of api', members: [{ name: 'api-old', revision: 1, replicas: 4, target: 4 }], available: 4 },
      replaceAsReady: true,
    });
    const result = await rollStep(four, {
      async scale({ name, replicas, from }) {
        log.push(`scale ${name} ${from}→${replicas}`);
      },
      async wait(w, { side }) {
        log.push(`wait ${side} ${w.minAvailable}..${w.maxPods}`);
        return { total: w.maxPods, ready: w.minAvailable, available: w.minAvailable, terminating: 0, problems: [] };
      },
      checkPlan: unchecked,
    });
    assert.deepEqual(log, ['scale api-new 0→2', 'wait new 1..2', 'scale api-old 4→3', 'wait old 0..3']);
    assert.deepEqual(result.to, { replicas: { 'api-new': 2 }, available: 1 });
  });

  test('a stalled wait says which it was; the retry waits there first, then goes on from the synced sizes', async () => {
    const stalled = ApplicationFailure.create({ type: 'RolloutStalled', message: 'no progress', nonRetryable: true, details: [{ reason: 'ProgressDeadlineExceeded' }] });
    const calls = (log: string[], stallOn?: string) => ({
      async scale({ name, replicas, from }: { name: string; replicas: number; from: number }) {
        log.push(`scale ${name} ${from}→${replicas}`);
      },
      async wait(w: PodWaitInput, { side }: { side: 'new' | 'old' }) {
        log.push(`wait ${side} ${w.minAvailable}..${w.maxPods}`);
        if (side === stallOn) throw stalled;
        return { total: w.maxPods, ready: w.maxPods, available: w.maxPods, terminating: 0, problems: [] };
      },
      checkPlan: unchecked,
    });
    const first: string[] = [];
    const err = await rollStep(input(), calls(first, 'old')).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure && err.type === 'RolloutStalled');
    assert.deepEqual(err.details?.[0], { reason: 'ProgressDeadlineExceeded', stalledWait: { side: 'from', minAvailable: 0, maxPods: 1 }, stepsDone: 0 });
    // The workflow synced: the new RC at 1 (available), the old one already at 1.
    const synced = input({
      to: { label: 'api-new', members: [{ name: 'api-new', revision: 2, replicas: 1, target: 2 }], available: 1 },
      from: { label: 'old RCs of api', members: [{ name: 'api-old', revision: 1, replicas: 1, target: 2 }], available: 1 },
      waitFirst: { side: 'from', minAvailable: 0, maxPods: 1 },
    });
    const retry: string[] = [];
    await rollStep(synced, calls(retry));
    assert.deepEqual(retry.slice(0, 1), ['wait old 0..1'], 'the stalled wait first');
    assert.deepEqual(retry.slice(1), ['scale api-new 1→2', 'wait new 2..2', 'scale api-old 1→0', 'wait old 0..0'], 'then the step from the synced sizes');
  });

  test('asked to, it checks both sides against the cluster before its first scale; a stale plan writes nothing', async () => {
    const log: string[] = [];
    const calls = (stale: boolean) => ({
      async scale({ name, replicas }: { name: string; replicas: number }) {
        log.push(`scale ${name} ${replicas}`);
      },
      async wait(w: PodWaitInput) {
        return { total: w.maxPods, ready: w.maxPods, available: w.maxPods, terminating: 0, problems: [] };
      },
      async checkPlan(plan: PlanCheckInput) {
        log.push(`check ${plan.expect.map((e) => `${e.name}=${e.replicas}`).join(' ')}`);
        if (stale) throw ApplicationFailure.create({ type: 'StalePlan', message: 'api-old runs 1', nonRetryable: true });
      },
    });
    await rollStep(input({ checkPlan: true }), calls(false));
    assert.deepEqual(log.slice(0, 2), ['check api-new=0 api-old=2', 'scale api-new 1']);
    log.length = 0;
    await assert.rejects(rollStep(input({ checkPlan: true }), calls(true)), (err: ApplicationFailure) => err.type === 'StalePlan');
    assert.deepEqual(log, ['check api-new=0 api-old=2']);
    log.length = 0;
    await rollStep(input(), calls(true));
    assert.equal(log.filter((l) => l.startsWith('check')).length, 0, 'not asked: no check (steps of deploys started before)');
  });

  test('asked for steps, it takes them back to back and ends when the rollout is done', async () => {
    const log: string[] = [];
    const lives: unknown[] = [];
    const calls = {
      async scale({ name, replicas, from }: { name: string; replicas: number; from: number }) {
        log.push(`scale ${name} ${from}→${replicas}`);
      },
      async wait(w: PodWaitInput, live: { side: 'new' | 'old'; stepsDone: number }) {
        lives.push(live);
        log.push(`wait ${live.side} ${w.minAvailable}..${w.maxPods}`);
        return { total: w.maxPods, ready: w.maxPods, available: w.maxPods, terminating: 0, problems: [] };
      },
      checkPlan: unchecked,
    };
    const result = await rollStep(input({ steps: 10 }), calls);
    assert.deepEqual(log, ['scale api-new 0→1', 'wait new 1..1', 'scale api-old 2→1', 'wait old 0..1', 'scale api-new 1→2', 'wait new 2..2', 'scale api-old 1→0', 'wait old 0..0']);
    assert.equal(result.steps, 2, 'two steps roll 2 replicas at surge 1; the budget of 10 is not a plan');
    assert.equal(result.unfinished, undefined);
    assert.deepEqual(lives[2], { side: 'new', awaiting: '2 available pods of api-new', stepsDone: 1, sides: { new: { replicas: 2, available: 1 }, old: { replicas: 1, available: 1 } } });
    log.length = 0;
    assert.equal((await rollStep(input({ steps: 1 }), calls)).steps, 1);
    assert.equal(log.length, 4, 'a budget of one step: one step');
  });

  test('cancelled while it takes steps, it says what it did and what finishes the step it was in', async () => {
    const run = async (cancelAt: string, over: Partial<RollStepInput> = {}) => {
      const log: string[] = [];
      let cancelled = false;
      const result = await rollStep(input({ steps: 10, ...over }), {
        async scale({ name, replicas, from }) {
          if (cancelled) throw ApplicationFailure.create({ type: 'Cancelled', message: 'step cancelled' });
          log.push(`scale ${name} ${from}→${replicas}`);
          if (log.at(-1) === cancelAt) cancelled = true;
        },
        async wait(w, { side }) {
          log.push(`wait ${side} ${w.minAvailable}..${w.maxPods}`);
          if (log.at(-1) === cancelAt || cancelled) {
            cancelled = true;
            throw ApplicationFailure.create({ type: 'Cancelled', message: 'wait cancelled' });
          }
          return { total: w.maxPods, ready: w.maxPods, available: w.maxPods, terminating: 0, problems: [] };
        },
        checkPlan: unchecked,
        cancelled: () => cancelled,
      });
      return { log, result };
    };
    const inWait = await run('wait new 2..2');
    assert.equal(inWait.result.steps, 1);
    assert.deepEqual(inWait.result.unfinished, { steps: 1 }, 'growing: a whole step from the sizes it set finishes it');
    assert.deepEqual(inWait.result.to.replicas, { 'api-new': 2 });
    const shrunk = await run('scale api-old 1→0');
    assert.deepEqual(shrunk.result.unfinished, { waitFirst: { side: 'from', minAvailable: 0, maxPods: 0 }, steps: 0 }, 'shrunk: only its wait is left');
    const atBoundary = await run('wait old 0..1');
    assert.equal(atBoundary.result.steps, 0);
    assert.deepEqual(atBoundary.result.unfinished, { waitFirst: { side: 'from', minAvailable: 0, maxPods: 1 }, steps: 0 });
    // The rest of the step, as the workflow asks for it: the wait, and nothing after it.
    const rest = await run('none', { to: { ...input().to, members: [{ name: 'api-new', revision: 2, replicas: 2, target: 2 }], available: 1 }, from: { ...input().from, members: [{ name: 'api-old', revision: 1, replicas: 0, target: 2 }] }, waitFirst: { side: 'from', minAvailable: 0, maxPods: 0 }, steps: 0 });
    assert.deepEqual(rest.log, ['wait old 0..0']);
    assert.equal(rest.result.unfinished, undefined);
    assert.equal(rest.result.steps, 1, 'it ended the step it belongs to');
    // Steps scheduled before there was this choice fail when cancelled, as they did.
    await assert.rejects(rollStep(input(), { scale: async () => {}, wait: async () => Promise.reject(ApplicationFailure.create({ type: 'Cancelled', message: 'wait cancelled' })), checkPlan: unchecked, cancelled: () => true }), /wait cancelled/);
  });

  test('a malformed step is refused before any call', async () => {
    const bad: Array<[unknown, RegExp]> = [
      [null, /input must be a mapping/],
      [{ ...input(), limits: { maxSurge: 0, maxUnavailable: 0 } }, /cannot both be 0/],
      [{ ...input(), to: { ...input().to, members: [{ name: 'x', revision: 1, replicas: -1, target: 1 }] } }, /to\.members\[0\]\.replicas/],
      [{ ...input(), from: { ...input().from, members: Array.from({ length: 101 }, () => input().from.members[0]) } }, /at most 100/],
      [{ ...input(), detectTampering: 'yes' }, /detectTampering/],
      [{ ...input(), checkPlan: 1 }, /checkPlan/],
      [{ ...input(), replaceAsReady: 'yes' }, /replaceAsReady/],
      [{ ...input(), steps: 0 }, /0 only with waitFirst/],
      [{ ...input(), steps: 1001 }, /steps must be at most 1000/],
      [{ ...input(), steps: 1.5 }, /steps must be an integer/],
    ];
    for (const [raw, rule] of bad) {
      let called = false;
      const calls = {
        scale: async () => void (called = true),
        wait: async () => ((called = true), { total: 0, ready: 0, available: 0, terminating: 0, problems: [] }),
        checkPlan: async () => void (called = true),
      };
      await assert.rejects(rollStep(raw as RollStepInput, calls), (err: Error) => rule.test(err.message) && /nothing was written/.test(err.message));
      assert.equal(called, false, String(rule));
    }
  });
});
