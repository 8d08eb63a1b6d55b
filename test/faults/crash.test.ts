// A sample of the crash campaign (the full one: npm run test:reliability):
// kill -9 the worker process right after a first deploy's create, while a rollout
// waits for new pods, and while a never-ready release rolls back; a new worker finishes each deploy with
// I1-I4 intact and exactly the expected RCs left.
import { after, before, describe, test } from 'node:test';
import { faultHarness, seededRandom, type FaultHarness } from '../helpers/fault-harness.js';
import { crashRun, KILL_POINTS } from '../helpers/crash-points.js';

const SAMPLE = [
  'first deploy: create at full size (created, answer lost)',
  'RollingOut step 2: wait for new pods',
  'RollingBack: new RC scaled to 0, its wait for the new pods to go starting',
];

describe('worker crashes (sample)', { timeout: 600_000 }, () => {
  let h: FaultHarness;
  const random = seededRandom(Number(process.env.FAULT_SEED ?? 1));
  before(async () => {
    h = await faultHarness('crash-sample', { proxy: true });
  });
  after(async () => {
    await h?.close();
  });

  SAMPLE.forEach((label, i) => {
    const point = KILL_POINTS.find((p) => p.label === label)!;
    test(`kill -9 at ${label}: a new worker finishes the deploy (${point.scenario}), I1-I4 hold`, { timeout: 300_000 }, async () => {
      await crashRun(h, point, i, random);
    });
  });
});
