// A step's heartbeats begin one second into the step (activities/step-heartbeat.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FIRST_HEARTBEAT_AFTER_MS, heartbeatAfterFirstSecond } from '../../activities/step-heartbeat.js';

test('a step sends no heartbeat in its first second, then every one it is given', () => {
  let clock = 5_000;
  const sent: number[] = [];
  const heartbeat = heartbeatAfterFirstSecond((n: number) => sent.push(n), () => clock);
  heartbeat(1);
  clock += FIRST_HEARTBEAT_AFTER_MS - 1;
  heartbeat(2);
  assert.deepEqual(sent, []);
  clock += 1;
  heartbeat(3);
  clock += 5;
  heartbeat(4);
  assert.deepEqual(sent, [3, 4]);
});

test('each step counts its own first second', () => {
  let clock = 0;
  const sent: string[] = [];
  const first = heartbeatAfterFirstSecond((s: string) => sent.push(s), () => clock);
  clock += FIRST_HEARTBEAT_AFTER_MS;
  const second = heartbeatAfterFirstSecond((s: string) => sent.push(s), () => clock);
  first('step 1');
  second('step 2');
  assert.deepEqual(sent, ['step 1']);
});
