// A step's heartbeats: none in its first interval, then at most one an interval, a
// second for a worker's first ten steps and longer beyond (activities/step-heartbeat.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEARTBEAT_EVERY_MS, HEARTBEATS_PER_SECOND, LONGEST_HEARTBEAT_INTERVAL_MS, StepHeartbeats, stepHeartbeat } from '../../activities/step-heartbeat.js';

test('a step sends no heartbeat in its first second, then the first it is given', () => {
  let clock = 5_000;
  const sent: number[] = [];
  const heartbeat = stepHeartbeat((n: number) => sent.push(n), () => clock);
  heartbeat(1);
  clock += HEARTBEAT_EVERY_MS - 1;
  heartbeat(2);
  assert.deepEqual(sent, []);
  clock += 1;
  heartbeat(3);
  assert.deepEqual(sent, [3]);
});

test('after one is sent, those of the next second are dropped and the first after it is sent', () => {
  let clock = 0;
  const sent: number[] = [];
  const heartbeat = stepHeartbeat((n: number) => sent.push(n), () => clock);
  clock = HEARTBEAT_EVERY_MS + 200;
  heartbeat(1);
  for (const [at, n] of [[300, 2], [900, 3], [1199, 4], [1200, 5], [1500, 6], [2200, 7]] as const) {
    clock = HEARTBEAT_EVERY_MS + at;
    heartbeat(n);
  }
  assert.deepEqual(sent, [1, 5, 7]);
});

test('each step counts its own first second', () => {
  let clock = 0;
  const sent: string[] = [];
  const first = stepHeartbeat((s: string) => sent.push(s), () => clock);
  clock += HEARTBEAT_EVERY_MS;
  const second = stepHeartbeat((s: string) => sent.push(s), () => clock);
  first('step 1');
  second('step 2');
  assert.deepEqual(sent, ['step 1']);
});

test('up to ten steps at once heartbeat once a second; more spread the budget, up to five seconds apart', () => {
  const steps = new StepHeartbeats();
  const started = Array.from({ length: HEARTBEATS_PER_SECOND }, () => steps.start(() => {}));
  assert.equal(steps.everyMs, HEARTBEAT_EVERY_MS);
  const more = Array.from({ length: HEARTBEATS_PER_SECOND }, () => steps.start(() => {}));
  assert.equal(steps.everyMs, 2 * HEARTBEAT_EVERY_MS);
  const many = Array.from({ length: 10 * HEARTBEATS_PER_SECOND }, () => steps.start(() => {}));
  assert.equal(steps.everyMs, LONGEST_HEARTBEAT_INTERVAL_MS);
  for (const step of [...many, ...more]) step.done();
  assert.equal(steps.everyMs, HEARTBEAT_EVERY_MS);
  started[0]?.done();
  started[0]?.done();
  // A step that ends twice counts once: the rest still run.
  for (let i = 0; i < HEARTBEATS_PER_SECOND + 1; i++) steps.start(() => {});
  assert.equal(steps.everyMs, 2 * HEARTBEAT_EVERY_MS);
});

test("a step's next heartbeat waits for the interval of the moment it sent the last one", () => {
  let clock = 0;
  const steps = new StepHeartbeats(1);
  const sent: number[] = [];
  const first = steps.start((n: number) => sent.push(n), () => clock);
  const second = steps.start(() => {}, () => clock);
  // Two steps on a budget of one heartbeat a second: two seconds apart.
  clock = HEARTBEAT_EVERY_MS;
  first.heartbeat(1);
  clock += 2 * HEARTBEAT_EVERY_MS - 1;
  first.heartbeat(2);
  clock += 1;
  first.heartbeat(3);
  second.done();
  clock += 2 * HEARTBEAT_EVERY_MS - 1;
  first.heartbeat(4);
  clock += 1;
  first.heartbeat(5);
  // Alone again: a second apart.
  clock += HEARTBEAT_EVERY_MS;
  first.heartbeat(6);
  assert.deepEqual(sent, [1, 3, 5, 6]);
});
