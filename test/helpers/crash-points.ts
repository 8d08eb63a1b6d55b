// Where to kill -9 a worker during a deploy, and one crash run: deploy, kill
// the worker at the chosen point, start a new one, and check that the deploy
// ends as it should with I1-I4 intact. The catalog covers every phase of the
// deploy workflow, forward and backward; `randomPoint` adds kills at random times.
import assert from 'node:assert/strict';
import type { V1ReplicationController } from '@kubernetes/client-node';
import type { Phase } from '../../domain/phases.js';
import { approveUpdate, pauseUpdate, resumeUpdate, rollbackUpdate } from '../../workflows/messages.js';
import type { StartedDeploy } from '../../client/api.js';
import { appSelector } from '../../domain/labels.js';
import { resolveLimits } from '../../domain/rollout.js';
import { listRcs } from './cluster.js';
import type { Breakpoint, ProxiedRequest } from './fault-proxy.js';
import type { PodExtremesWatcher } from './pod-extremes.js';
import { checkExtremes, resultThroughOutages, retrying, sleep, type FaultHarness, type SpecOverrides } from './fault-harness.js';
import { historyView, lastActivity, lastPhase, waitForMark, type Trigger } from './history-marks.js';

/**
 * What is deployed: `update` v1 → v2; `prune` the same with revisionHistoryLimit 0 (the old RC
 * is deleted at the end); `first` the first deploy of an app; `rollback` a never-ready release
 * that rolls back by itself; `stuck` the same with onFailure: wait, rolled back by an operator;
 * `canary` an approval gate after the first step; `paused` a rollout paused by an operator;
 * `wide` the update at a surge of 3, whose steps let old pods go as new ones turn available.
 */
export type Scenario = 'update' | 'prune' | 'first' | 'rollback' | 'stuck' | 'canary' | 'paused' | 'wide';

/**
 * A cluster call of the deploy, seen at the proxy: the environment secret, the list of the
 * app's RCs, the create, a scale or delete of the new or the old RC. (Waits make no call of
 * their own once the app's shared watch is open: a wait is reached by letting the scale
 * before it pass and killing a moment later.)
 */
export type CallTarget = 'secret' | 'list-rcs' | 'create' | 'scale-new' | 'scale-old' | 'delete-new' | 'delete-old';

export interface CallPoint {
  target: CallTarget;
  /** For scales: the size asked for. */
  replicas?: number;
  /** The n-th such call of this deploy (1-based). */
  nth?: number;
  /** Kill before the call reaches the apiserver, or after it acted (its answer never arrives); `pass`: let it through. */
  when: 'before' | 'after' | 'pass';
}

export interface KillPoint {
  label: string;
  scenario: Scenario;
  /** Kill while this cluster call is in flight (held at the proxy)... */
  call?: CallPoint;
  /** ...or when this shows up in history... */
  trigger?: Trigger;
  /** ...or this long after the deploy started. */
  delayMs?: number;
  /** A random extra wait in [min, max] ms before a history- or time-triggered kill. */
  jitterMs?: [number, number];
  /** Kill the replacement worker too, this long (random in [min, max] ms) after it started: a crash during recovery. */
  again?: [number, number];
}

/** When to kill the replacement: it finishes what is left of the rollout (or rollback) in about 5 s. */
const DURING_RECOVERY: [number, number] = [500, 4000];

/**
 * The steps of a rollout are one activity (`rollStep`) taking them back to back; its first wait
 * for new pods begins as it starts. A later step's wait is reached through the scale before it.
 */
const wait = 'activity:rollStep' as const;
const back = 'phase:RollingBack' as const;
/**
 * Just after the scale that starts a wait for pods to go has passed the proxy: the
 * scale's answer, the workflow task and the wait's start. That wait itself lasts
 * milliseconds (pods count as gone once they are terminating), so it is aimed at, not held.
 */
const intoWait: [number, number] = [0, 15];

/**
 * Every phase of a deploy, and each kind of step in it. Short steps (a scale, a list, a
 * delete) are hit exactly by holding their cluster call at the proxy; long ones (waits,
 * operator gates) by watching history; some with a random extra delay.
 */
export const KILL_POINTS: KillPoint[] = [
  { label: 'Validating: right after the start', scenario: 'update', delayMs: 0 },
  { label: 'EnsuringSecret: reading the secret', scenario: 'update', call: { target: 'secret', when: 'before' } },
  { label: 'Rendering: RCs listed (beside the secret check), answer lost', scenario: 'update', call: { target: 'list-rcs', when: 'after' } },
  { label: 'Applying: create the new RC (not sent)', scenario: 'update', call: { target: 'create', when: 'before' } },
  { label: 'Applying: create the new RC (created, answer lost)', scenario: 'update', call: { target: 'create', when: 'after' } },
  { label: 'RollingOut step 1: scale new to 1 (applied, answer lost)', scenario: 'update', call: { target: 'scale-new', replicas: 1, when: 'after' } },
  { label: 'RollingOut step 1: wait for new pods', scenario: 'update', trigger: { mark: wait, nth: 1 }, jitterMs: [0, 1500] },
  { label: 'RollingOut step 1: scale old to 2 (not sent)', scenario: 'update', call: { target: 'scale-old', replicas: 2, when: 'before' } },
  { label: 'RollingOut step 1: old RC scaled to 2, its wait for old pods to go starting', scenario: 'update', call: { target: 'scale-old', replicas: 2, when: 'pass' }, jitterMs: intoWait },
  { label: 'RollingOut step 2: scale new to 2 (applied, answer lost)', scenario: 'update', call: { target: 'scale-new', replicas: 2, when: 'after' } },
  { label: 'RollingOut step 2: wait for new pods', scenario: 'update', call: { target: 'scale-new', replicas: 2, when: 'pass' }, jitterMs: [300, 1500] },
  {
    label: 'RollingOut step 2: scale old to 1 (applied, answer lost), then the replacement killed while it recovers',
    scenario: 'update',
    call: { target: 'scale-old', replicas: 1, when: 'after' },
    again: DURING_RECOVERY,
  },
  { label: 'RollingOut step 3: scale old to 0 (applied, answer lost)', scenario: 'update', call: { target: 'scale-old', replicas: 0, when: 'after' } },
  // The last step's and a first deploy's pods turn Ready 1-1.5 s after their scale and may be
  // available at once (their Ready time has no fraction of a second): kill within the first 0.9 s.
  { label: 'RollingOut step 3: wait for new pods', scenario: 'update', call: { target: 'scale-new', replicas: 3, when: 'pass' }, jitterMs: [300, 900] },
  { label: 'cleanup: RCs listed after the rollout, answer lost', scenario: 'update', call: { target: 'list-rcs', nth: 2, when: 'after' } },
  { label: 'cleanup: delete the old RC (deleted, answer lost)', scenario: 'prune', call: { target: 'delete-old', when: 'after' } },
  { label: 'first deploy: create at full size (created, answer lost)', scenario: 'first', call: { target: 'create', when: 'after' } },
  { label: 'first deploy: wait for pods', scenario: 'first', trigger: { mark: wait, nth: 1 }, jitterMs: [0, 900] },
  { label: 'RollingOut: wait on a never-ready pod (before the stall)', scenario: 'rollback', trigger: { mark: wait, nth: 1 }, jitterMs: [2000, 5000] },
  { label: 'RollingBack: as it begins', scenario: 'rollback', trigger: { mark: back } },
  { label: 'RollingBack: RCs listed as it begins, answer lost', scenario: 'rollback', call: { target: 'list-rcs', nth: 2, when: 'after' } },
  {
    label: 'RollingBack: RCs listed as it begins, then the replacement killed while it recovers',
    scenario: 'rollback',
    call: { target: 'list-rcs', nth: 2, when: 'before' },
    again: DURING_RECOVERY,
  },
  { label: 'RollingBack: scale the new RC to 0 (applied, answer lost)', scenario: 'rollback', call: { target: 'scale-new', replicas: 0, when: 'after' } },
  { label: 'RollingBack: new RC scaled to 0, its wait for the new pods to go starting', scenario: 'rollback', call: { target: 'scale-new', replicas: 0, when: 'pass' }, jitterMs: intoWait },
  { label: 'RollingBack: delete the new RC (not sent)', scenario: 'rollback', call: { target: 'delete-new', when: 'before' } },
  { label: 'RollingBack: delete the new RC (deleted, answer lost)', scenario: 'rollback', call: { target: 'delete-new', when: 'after' } },
  // Its size depends on how many new pods turned available together (usually one: 3 → 2).
  { label: 'RollingOut at surge 3: the first scale of the old RC, as new pods turned available (applied, answer lost)', scenario: 'wide', call: { target: 'scale-old', nth: 1, when: 'after' } },
  { label: 'RollingOut at surge 3: the next scale of the old RC (not sent)', scenario: 'wide', call: { target: 'scale-old', nth: 2, when: 'before' } },
  { label: 'Stuck: waiting for an operator', scenario: 'stuck', trigger: { mark: 'phase:Stuck' }, jitterMs: [0, 1000] },
  { label: 'AwaitingApproval: canary gate open', scenario: 'canary', trigger: { mark: 'phase:AwaitingApproval' }, jitterMs: [0, 1000] },
  { label: 'Paused: held by an operator', scenario: 'paused', trigger: { mark: 'phase:Paused' }, jitterMs: [0, 1000] },
];

/** The names a call point refers to, known once the run's specs are. */
interface RunNames {
  namespace: string;
  app: string;
  newRc: string;
  oldRc: string;
}

export function breakpointFor(call: CallPoint, n: RunNames): Breakpoint {
  const rcs = `/api/v1/namespaces/${n.namespace}/replicationcontrollers`;
  const selector = (r: ProxiedRequest) => r.query.get('labelSelector') ?? '';
  const replicas = (r: ProxiedRequest) => call.replicas === undefined || new RegExp(`"replicas":\\s*${call.replicas}\\b`).test(r.body);
  const matchers: Record<CallTarget, [string, (r: ProxiedRequest) => boolean]> = {
    secret: ['GET secret environment', (r) => r.method === 'GET' && r.path === `/api/v1/namespaces/${n.namespace}/secrets/environment`],
    // The activity's list (waits list RCs too, by `name=` alone, to spot tampering).
    'list-rcs': ['GET RCs', (r) => r.method === 'GET' && r.path === rcs && selector(r) === appSelector({ name: n.app })],
    create: ['POST RC', (r) => r.method === 'POST' && r.path === rcs],
    'scale-new': [`PUT ${n.newRc}/scale`, (r) => r.method === 'PUT' && r.path === `${rcs}/${n.newRc}/scale` && replicas(r)],
    'scale-old': [`PUT ${n.oldRc}/scale`, (r) => r.method === 'PUT' && r.path === `${rcs}/${n.oldRc}/scale` && replicas(r)],
    'delete-new': [`DELETE ${n.newRc}`, (r) => r.method === 'DELETE' && r.path === `${rcs}/${n.newRc}`],
    'delete-old': [`DELETE ${n.oldRc}`, (r) => r.method === 'DELETE' && r.path === `${rcs}/${n.oldRc}`],
  };
  const [what, match] = matchers[call.target];
  const label = `${what}${call.replicas === undefined ? '' : ` to ${call.replicas}`} #${call.nth ?? 1} ${call.when}`;
  return { label, match, nth: call.nth, when: call.when };
}

/** A kill at a random moment of an update (at a surge of 1 or 3) or a rollback (`random()` in [0, 1)). */
export function randomPoint(random: () => number): KillPoint {
  const pick = random();
  const scenario = pick < 0.4 ? 'rollback' : pick < 0.6 ? 'wide' : 'update';
  // An update takes ~7 s here, a rollback about 9 s (the 8 s progress deadline, then the way
  // back: two kills at 9.1 s found it ended on 3 December). At a surge of 3, with steps taken back
  // to back, the old RC is down about 1.6 s after the new one is created (a kill at 2.9 s found
  // the deploy ended on 7 December). Kill somewhere inside.
  const windowMs = { rollback: 8_300, wide: 1_500, update: 6_000 }[scenario];
  const delayMs = Math.round(200 + random() * windowMs);
  return { label: `random: ${delayMs} ms after the start`, scenario, delayMs };
}

export interface CrashRecord {
  index: number;
  label: string;
  scenario: Scenario;
  /** The last phase and activity in history when the worker died. */
  phaseAtKill: Phase | 'none';
  activityAtKill: string;
  outcome: string;
  expected: string;
  minReady: number;
  maxPods: number;
  seconds: number;
  ok: boolean;
  error?: string;
}

function scenarioSpec(scenario: Scenario): { overrides: SpecOverrides; image: string; expected: 'Succeeded' | 'RolledBack' } {
  const v2 = 'registry.example/awesome-api:2.0.0';
  const bad = 'registry.example/awesome-api:2.0.0-never-ready';
  switch (scenario) {
    case 'update':
    case 'paused':
      return { overrides: {}, image: v2, expected: 'Succeeded' };
    case 'prune':
      return { overrides: { revisionHistoryLimit: 0 }, image: v2, expected: 'Succeeded' };
    case 'first':
      return { overrides: {}, image: 'registry.example/awesome-api:1.0.0', expected: 'Succeeded' };
    case 'rollback':
      return { overrides: { strategy: { progressDeadlineSeconds: 8 } }, image: bad, expected: 'RolledBack' };
    case 'stuck':
      return { overrides: { strategy: { progressDeadlineSeconds: 8, onFailure: 'wait', decisionTimeoutSeconds: 600 } }, image: bad, expected: 'RolledBack' };
    case 'canary':
      return { overrides: { strategy: { approval: 'after-first-step' } }, image: v2, expected: 'Succeeded' };
    case 'wide':
      // minReadySeconds 0: pods that turn Ready within the same second (the condition's
      // time has no fraction) would otherwise all turn available together, in one step.
      return { overrides: { strategy: { maxSurge: 3, minReadySeconds: 0 } }, image: v2, expected: 'Succeeded' };
  }
}

/**
 * One crash run on its own app: deploy v1 (no fault), then the scenario's deploy with
 * the worker killed at `point`; a new worker finishes it. Throws (with a record) on any
 * broken invariant.
 */
export async function crashRun(h: FaultHarness, point: KillPoint, index: number, random: () => number): Promise<CrashRecord> {
  const started = Date.now();
  const app = `crash-${index}`;
  const { overrides, image, expected } = scenarioSpec(point.scenario);
  const spec = h.spec(app, overrides);
  const record: CrashRecord = {
    index,
    label: point.label,
    scenario: point.scenario,
    phaseAtKill: 'none',
    activityAtKill: '',
    outcome: '',
    expected,
    minReady: Number.NaN,
    maxPods: Number.NaN,
    seconds: 0,
    ok: false,
  };
  let watcher: PodExtremesWatcher | undefined;
  try {
    let before: V1ReplicationController[] = [];
    if (point.scenario !== 'first') {
      const v1 = await h.deploy(h.spec(app), 'registry.example/awesome-api:1.0.0');
      assert.equal(v1.outcome, 'Succeeded', `v1 of ${app}: ${v1.message}`);
      before = await listRcs(h.kc, h.namespace, app);
    }
    const audit = h.audit();
    watcher = await h.watch(app);
    const names = { namespace: h.namespace, app, newRc: h.rcName(spec, image), oldRc: h.rcName(h.spec(app), 'registry.example/awesome-api:1.0.0') };
    const breakpoint = point.call ? breakpointFor(point.call, names) : undefined;
    const held = breakpoint ? { label: breakpoint.label, hit: armBreakpoint(h, breakpoint) } : undefined;
    const handle = await h.start(spec, image);

    await beforeKill(handle, point);
    const killed = [await killAt(h, handle, point, random, record, held)];
    if (point.again) {
      const [min, max] = point.again;
      await sleep(min + random() * (max - min));
      record.label += ` (2nd kill: ${lastPhase((await historyView(handle)).marks) ?? 'none'})`;
      killed.push((await h.crashWorker()).killed);
    }
    await afterRestart(handle, point);

    const result = await resultThroughOutages(handle);
    const seen = watcher.stop();
    record.outcome = result.outcome;
    record.minReady = seen.minReady;
    record.maxPods = seen.maxPods;
    assert.equal(result.outcome, expected, `${app}: ${result.message}`);

    // I1 once the old version was fully ready (there is none on a first deploy), I2 always.
    const { maxSurge } = resolveLimits(spec.strategy, spec.replicas);
    checkExtremes(seen, { minReady: point.scenario === 'first' ? undefined : spec.replicas, maxPods: spec.replicas + maxSurge });
    await h.checkEnd(app, { outcome: expected, before, newRc: h.rcName(spec, image), desired: spec.replicas, revisionHistoryLimit: spec.revisionHistoryLimit }, audit);

    // The new worker finished the deploy, and replaying history on it never failed.
    const view = await retrying('history', () => historyView(handle));
    const last = view.workflowTaskIdentities.at(-1) ?? '';
    assert.ok(!killed.some((pid) => last.endsWith(`@${pid}`)), `the deploy was completed by a killed worker (${last}): the kill came too late`);
    assert.deepEqual(view.workflowTaskFailures.filter((f) => /nondetermin/i.test(f)), [], 'non-determinism on replay');
    record.ok = true;
    return record;
  } catch (err) {
    record.error = (err as Error).message;
    throw Object.assign(err as Error, { record });
  } finally {
    watcher?.stop();
    h.proxy?.disarm();
    record.seconds = Math.round((Date.now() - started) / 1000);
  }
}

/** Operator actions that bring the deploy to the phase the kill point wants. */
async function beforeKill(handle: StartedDeploy, point: KillPoint): Promise<void> {
  if (point.scenario !== 'paused') return;
  await waitForMark(handle, { mark: 'phase:RollingOut' });
  await handle.executeUpdate(pauseUpdate, { args: [{ reason: 'crash test', requestedBy: 'fault-test' }] });
}

function armBreakpoint(h: FaultHarness, breakpoint: Breakpoint): Promise<void> {
  if (!h.proxy) throw new Error('kill points at cluster calls need faultHarness(..., { proxy: true })');
  const held = h.proxy.breakAt(breakpoint);
  held.catch(() => {}); // awaited in killAt; a miss must not surface as an unhandled rejection first
  return held;
}

async function killAt(
  h: FaultHarness,
  handle: StartedDeploy,
  point: KillPoint,
  random: () => number,
  record: CrashRecord,
  held: { label: string; hit: Promise<void> } | undefined,
): Promise<number> {
  if (held) {
    await held.hit;
  } else if (point.trigger) {
    const view = await waitForMark(handle, point.trigger);
    assert.ok(!view.closed, `the deploy ended before ${point.trigger.mark}`);
  } else {
    await sleep(point.delayMs ?? 0);
  }
  const [min, max] = point.jitterMs ?? [0, 0];
  await sleep(min + random() * (max - min));
  const view = await historyView(handle);
  assert.ok(!view.closed, `the deploy ended before the kill (${point.label}): the kill point is too late`);
  record.phaseAtKill = lastPhase(view.marks) ?? 'none';
  // A held call is known exactly; otherwise the last activity history shows.
  record.activityAtKill = held && point.call?.when !== 'pass' ? `call held: ${held.label}` : (lastActivity(view.marks) ?? '(none yet)');
  const { killed } = await h.crashWorker();
  h.proxy?.releaseHeld();
  return killed;
}

/** What an operator does once the new worker runs: answer the gate the deploy waits at. */
async function afterRestart(handle: StartedDeploy, point: KillPoint): Promise<void> {
  const request = { args: [{ reason: 'crash test', requestedBy: 'fault-test' }] as [{ reason: string; requestedBy: string }] };
  switch (point.scenario) {
    case 'stuck':
      await waitForMark(handle, { mark: 'phase:Stuck' });
      await retrying('rollback update', () => handle.executeUpdate(rollbackUpdate, request));
      break;
    case 'canary':
      await waitForMark(handle, { mark: 'phase:AwaitingApproval' });
      await retrying('approve update', () => handle.executeUpdate(approveUpdate, request));
      break;
    case 'paused':
      await retrying('resume update', () => handle.executeUpdate(resumeUpdate, request));
      break;
    default:
  }
}

/** The campaign's closing table: fault × runs × outcome. */
export function crashTable(records: CrashRecord[]): string {
  const rows = records.map(
    (r) =>
      `| ${r.index} | ${r.label} | ${r.phaseAtKill} | ${r.activityAtKill} | ${r.outcome || '—'} (expected ${r.expected}) | ${Number.isNaN(r.minReady) ? '—' : r.minReady} | ${Number.isNaN(r.maxPods) ? '—' : r.maxPods} | ${r.seconds}s | ${r.ok ? 'ok' : `FAILED: ${r.error ?? ''}`} |`,
  );
  return ['| # | kill point | phase at kill | activity at kill | outcome | min ready | max pods | time | verdict |', '|---|---|---|---|---|---|---|---|---|', ...rows].join('\n');
}
