// A step's heartbeats: none in its first second, then at most one a second (activities/step-heartbeat.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HEARTBEAT_EVERY_MS, stepHeartbeat } from '../../activities/step-heartbeat.js';

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
