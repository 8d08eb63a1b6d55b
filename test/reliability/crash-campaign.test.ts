// The crash campaign: kill -9 the worker at every kill point of the catalog
// (each phase, forward and backward, short steps hit exactly at their cluster
// call) and then at random moments: CRASH_RUNS runs in all (default: the
// catalog plus 6 random kills). Each run: a new worker finishes the deploy;
// I1-I4 hold; exactly the expected RCs remain. The table lands in
// .stack-faults/reports/.
//   CRASH_RUNS=40 FAULT_SEED=7 npm run test:reliability
//   CRASH_POINTS='RollingBack' npm run test:reliability     (only matching kill points)
import { after, before, describe, test } from 'node:test';
import { faultHarness, seededRandom, type FaultHarness } from '../helpers/fault-harness.js';
import { writeReport } from '../helpers/fault-run.js';
import { crashRun, crashTable, KILL_POINTS, randomPoint, type CrashRecord, type KillPoint } from '../helpers/crash-points.js';

const seed = Number(process.env.FAULT_SEED ?? Date.now() % 100_000);
const random = seededRandom(seed);
const filter = process.env.CRASH_POINTS ? new RegExp(process.env.CRASH_POINTS) : undefined;
const catalog = KILL_POINTS.filter((p) => !filter || filter.test(p.label));
const runs = Number(process.env.CRASH_RUNS ?? catalog.length + 6);
const points: KillPoint[] = Array.from({ length: runs }, (_, i) => (i < catalog.length ? catalog[i]! : randomPoint(random)));

describe(`worker crashes: ${runs} kill -9 runs (FAULT_SEED=${seed})`, { timeout: runs * 240_000 }, () => {
  let h: FaultHarness;
  const records: CrashRecord[] = [];
  before(async () => {
    h = await faultHarness('crash', { proxy: true });
  });
  after(async () => {
    await h?.close();
    const ok = records.filter((r) => r.ok).length;
    writeReport('crash', `Worker crashes: ${records.length} runs, ${ok} ok (FAULT_SEED=${seed})`, crashTable(records));
  });

  points.forEach((point, i) => {
    test(`#${i} ${point.scenario}: kill -9 at ${point.label}`, { timeout: 300_000 }, async () => {
      try {
        records.push(await crashRun(h, point, i, random));
      } catch (err) {
        const record = (err as { record?: CrashRecord }).record;
        if (record) records.push(record);
        throw err;
      }
    });
  });
});
