// One faulted deploy on its own app, for faults other than a worker crash
// (Temporal restarts, apiserver outages, injected API errors): deploy v1, start
// the faulted deploy, inject the fault when history reaches a point, and check
// the end: an allowed outcome, I1/I2 throughout, and the exact RCs of that outcome.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import type { V1ReplicationController } from '@kubernetes/client-node';
import type { StartedDeploy } from '../../client/api.js';
import { listRcs } from './cluster.js';
import { breakpointFor, type CallPoint } from './crash-points.js';
import type { PodExtremesWatcher } from './pod-extremes.js';
import { FAULT_REPORT_DIR } from './fault-stack.js';
import { checkExtremes, resultThroughOutages, retrying, type FaultHarness, type SpecOverrides } from './fault-harness.js';
import { historyView, lastPhase, waitForMark, type Mark, type Trigger } from './history-marks.js';

export interface FaultRun {
  app: string;
  /** The image of the faulted deploy (v2, or a never-ready one). */
  image: string;
  overrides?: SpecOverrides;
  /** Deploy v1 first (false: the faulted deploy is the app's first). */
  fromV1?: boolean;
  /** When to inject: at a point of history, or when the worker makes a cluster call (needs the proxy); else at the start. */
  at?: Trigger;
  atCall?: Omit<CallPoint, 'when'>;
  fault(handle: StartedDeploy): Promise<void>;
  /** What else happens to the deploy before the fault (an operator's update); runs alongside. */
  during?(handle: StartedDeploy): Promise<void>;
  /** Outcomes that count as correct (a long outage may end either way). */
  allowed: Array<'Succeeded' | 'RolledBack'>;
}

export interface FaultRecord {
  app: string;
  phaseAtFault: string;
  outcome: string;
  reason?: string;
  minReady: number;
  maxPods: number;
  rewatches: number;
  /** Stalled waits the rollback waited out again (a slow control plane), if it rolled back. */
  quietStallsInRollback: number;
  seconds: number;
}

export async function faultRun(h: FaultHarness, run: FaultRun): Promise<FaultRecord> {
  const started = Date.now();
  const spec = h.spec(run.app, run.overrides);
  let watcher: PodExtremesWatcher | undefined;
  try {
    let before: V1ReplicationController[] = [];
    if (run.fromV1 !== false) {
      const v1 = await h.deploy(h.spec(run.app), 'registry.example/awesome-api:1.0.0');
      assert.equal(v1.outcome, 'Succeeded', `v1 of ${run.app}: ${v1.message}`);
      before = await listRcs(h.kc, h.namespace, run.app);
    }
    const audit = h.audit();
    watcher = await h.watch(run.app);
    const names = { namespace: h.namespace, app: run.app, newRc: h.rcName(spec, run.image), oldRc: h.rcName(h.spec(run.app), 'registry.example/awesome-api:1.0.0') };
    const seen = run.atCall ? h.proxy?.breakAt(breakpointFor({ ...run.atCall, when: 'pass' }, names)) : undefined;
    if (run.atCall && !seen) throw new Error('atCall needs faultHarness(..., { proxy: true })');
    const handle = await h.start(spec, run.image);
    const during = run.during?.(handle);
    let phaseAtFault = 'start';
    if (seen) {
      await seen;
      phaseAtFault = lastPhase((await historyView(handle)).marks) ?? 'none';
    } else if (run.at) {
      const view = await waitForMark(handle, run.at);
      assert.ok(!view.closed, `${run.app}: the deploy ended before ${run.at.mark}`);
      phaseAtFault = lastPhase(view.marks) ?? 'none';
    }
    await run.fault(handle);
    await during;
    const result = await resultThroughOutages(handle);
    const extremes = watcher.stop();
    assert.ok(run.allowed.includes(result.outcome as 'Succeeded'), `${run.app}: ${result.outcome} (${result.message}), expected ${run.allowed.join(' or ')}`);

    checkExtremes(extremes, { minReady: run.fromV1 === false ? undefined : spec.replicas, maxPods: spec.replicas + 1 });
    await h.checkEnd(
      run.app,
      { outcome: result.outcome as 'Succeeded' | 'RolledBack', before, newRc: h.rcName(spec, run.image), desired: spec.replicas, revisionHistoryLimit: spec.revisionHistoryLimit },
      audit,
    );
    const view = await retrying('history', () => historyView(handle));
    assert.deepEqual(view.workflowTaskFailures.filter((f) => /nondetermin/i.test(f)), [], 'non-determinism on replay');
    return {
      app: run.app,
      phaseAtFault,
      outcome: result.outcome,
      reason: result.reason,
      minReady: extremes.minReady,
      maxPods: extremes.maxPods,
      rewatches: extremes.rewatches,
      quietStallsInRollback: stallsAfter(view.marks, 'phase:RollingBack'),
      seconds: Math.round((Date.now() - started) / 1000),
    };
  } finally {
    watcher?.stop();
    h.proxy?.disarm();
  }
}

function stallsAfter(marks: Mark[], mark: Mark): number {
  const from = marks.indexOf(mark);
  return from < 0 ? 0 : marks.slice(from).filter((m) => m === 'failed:RolloutStalled').length;
}

export interface FaultRow {
  fault: string;
  record?: FaultRecord;
  expected: string;
  error?: string;
}

/** The closing table of a fault test file: fault × outcome, with I1/I2 extremes. */
export function faultTable(rows: FaultRow[]): string {
  const lines = rows.map(({ fault, record: r, expected, error }) =>
    r
      ? `| ${fault} | ${r.phaseAtFault} | ${r.outcome}${r.reason ? ` (${r.reason})` : ''}${r.quietStallsInRollback ? `, rollback waited out ${r.quietStallsInRollback} stall(s)` : ''} | ${expected} | ${r.minReady} | ${r.maxPods} | ${r.seconds}s | ${error ? `FAILED: ${error}` : 'ok'} |`
      : `| ${fault} | — | — | ${expected} | — | — | — | FAILED: ${error ?? ''} |`,
  );
  return ['| fault | phase at fault | outcome | allowed | min ready | max pods | time | verdict |', '|---|---|---|---|---|---|---|---|', ...lines].join('\n');
}

/** Writes a report under test-results/faults/ and prints it. */
export function writeReport(name: string, title: string, table: string): void {
  const file = path.join(FAULT_REPORT_DIR, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${title}\n\n${table}\n`);
  console.log(`\n${title}\n${table}\n(report: ${file})`);
}

/** Runs one fault and keeps its row, passed or failed, for the table. */
export async function recorded(rows: FaultRow[], fault: string, expected: string, run: () => Promise<FaultRecord>): Promise<FaultRecord> {
  try {
    const record = await run();
    rows.push({ fault, record, expected });
    return record;
  } catch (err) {
    rows.push({ fault, expected, error: (err as Error).message.split('\n')[0] });
    throw err;
  }
}
