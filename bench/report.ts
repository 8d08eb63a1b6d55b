// Turns results.json into report.md (tables: medians, spreads, ratios against
// the Deployment controller measured in the same run) and wall-time.svg.
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../stack/layout.js';
import { wallTimeChart, type Panel } from './chart.js';
import type { ConcurrencySample } from './measure-concurrency.js';
import { stepsTaken, type RolloutSample } from './measure-rollout.js';
import type { Results } from './results.js';
import { describeGrowth, growthExponent, spread, type Spread } from './stats.js';
import { planRollout, resolveLimits } from '../domain/rollout.js';
import { activityCount } from './history.js';

const s1 = (ms: number) => (ms / 1000).toFixed(ms < 10_000 ? 2 : 1);
const fx = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const sec = (sp: Spread) => `${s1(sp.median)} [${s1(sp.min)}–${s1(sp.max)}]`;
const ratio = (sp: Spread) => `**${fx(sp.median)}×** [${fx(sp.min)}–${fx(sp.max)}]`;
const num = (sp: Spread, d = 0) => `${fx(sp.median, d)} [${fx(sp.min, d)}–${fx(sp.max, d)}]`;
const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
const verbs = (o: Record<string, number>) =>
  Object.entries(o)
    .sort((a, b) => b[1] - a[1])
    .map(([v, n]) => `${v} ${n}`)
    .join(', ');

interface Cell {
  replicas: number;
  surge: string;
  dep: RolloutSample[];
  df: RolloutSample[];
}

function cells(rollouts: RolloutSample[]): Cell[] {
  const map = new Map<string, Cell>();
  for (const r of rollouts) {
    const key = `${r.replicas}|${r.surge}`;
    const cell = map.get(key) ?? { replicas: r.replicas, surge: String(r.surge), dep: [], df: [] };
    (r.system === 'deployflow' ? cell.df : cell.dep).push(r);
    map.set(key, cell);
  }
  return [...map.values()].sort((a, b) => a.surge.localeCompare(b.surge) || a.replicas - b.replicas);
}

/** deployflow / Deployment per repeat (runs of one repeat ran back to back), then the spread of those ratios. */
function paired(cell: Cell, value: (r: RolloutSample) => number): Spread {
  const ratios: number[] = [];
  for (const df of cell.df) {
    const dep = cell.dep.find((d) => d.repeat === df.repeat);
    if (dep && value(dep) > 0) ratios.push(value(df) / value(dep));
  }
  return spread(ratios);
}

type Settings = Results['environment']['settings'];

/**
 * The fastest a stepwise rollout can be on average: each step waits for the slowest of its k
 * new pods, whose readiness delays are uniform over [delay, delay + jitter] (expected slowest:
 * delay + jitter·k/(k+1)). Neither the Deployment controller nor deployflow's steps wait for
 * that (both replace an old pod as soon as a new one can stand in for it), so with a surge
 * above 1 both can finish below this.
 */
export function stepwiseFloorMs(replicas: number, surge: string | number, s: Settings): number {
  let grown = 0;
  let total = 0;
  for (const step of planRollout(replicas, replicas, resolveLimits({ maxSurge: surge, maxUnavailable: 0 }, replicas))) {
    const k = step.newTarget - grown;
    grown = step.newTarget;
    if (k > 0) total += s.readyDelayMs + (s.readyJitterMs * k) / (k + 1) + s.minReadySeconds * 1000;
  }
  return total;
}

function rolloutTables(rollouts: RolloutSample[], settings: Settings): string[] {
  const out: string[] = [];
  const cs = cells(rollouts);
  out.push('### Rollout wall time', '');
  out.push('Seconds from the trigger (Deployment update / workflow start) until every live pod runs the new template and all `replicas` are Ready, as seen by a pod watch. Median [min–max]; the ratio is deployflow ÷ Deployment per repeat (the two ran back to back). The floor is the steps of the plan (whole batches of new pods) × the minimum readiness delay (+ minReadySeconds): no system can be faster. The stepwise floor is what a rollout takes on average when every step waits for the slowest pod of its batch and nothing else costs time; neither the Deployment controller nor the steps of deployflow, which replace an old pod as soon as a new one can stand in for it, wait for that, so both can beat it at a surge above 1. Those steps are then smaller and more than the plan has.', '');
  out.push('| replicas | surge | n | Deployment (s) | deployflow (s) | ratio | floor (s) | stepwise floor (s) | steps planned / taken by deployflow | deployflow until its result (s) |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of cs) {
    out.push(
      `| ${c.replicas} | ${c.surge} | ${Math.min(c.dep.length, c.df.length)} | ${sec(spread(c.dep.map((r) => r.wallMs)))} | ${sec(spread(c.df.map((r) => r.wallMs)))} | ${ratio(paired(c, (r) => r.wallMs))} | ${s1(c.df[0]?.floorMs ?? c.dep[0]?.floorMs ?? 0)} | ${s1(stepwiseFloorMs(c.replicas, (c.df[0] ?? c.dep[0])?.surge ?? c.surge, settings))} | ${c.df[0]?.steps ?? c.dep[0]?.steps ?? ''} / ${c.df.length ? fx(spread(c.df.map(stepsTaken)).median, 0) : '–'} | ${sec(spread(c.df.map((r) => r.reportedMs)))} |`,
    );
  }
  out.push('', '### Reaction latency', '');
  out.push('Milliseconds from a new pod turning Ready (pod watch) to the orchestrator\'s next scale call (audit log): *first* = the first scale of either side after that Ready; *scale-up* = the next growth of the new RC / ReplicaSet (a whole step\'s turnaround). Median / p90 over every reaction of every repeat.', '');
  out.push('| replicas | surge | Deployment first | deployflow first | Deployment scale-up | deployflow scale-up |');
  out.push('|---:|---:|---:|---:|---:|---:|');
  const lat = (rs: RolloutSample[], pick: (r: RolloutSample) => number[]) => {
    const sp = spread(rs.flatMap(pick));
    return sp.n ? `${fx(sp.median, 0)} / ${fx(sp.p90, 0)}` : '–';
  };
  for (const c of cs) {
    out.push(
      `| ${c.replicas} | ${c.surge} | ${lat(c.dep, (r) => r.reaction.firstMs)} | ${lat(c.df, (r) => r.reaction.firstMs)} | ${lat(c.dep, (r) => r.reaction.scaleUpMs)} | ${lat(c.df, (r) => r.reaction.scaleUpMs)} |`,
    );
  }
  out.push('', '### API load per rollout', '');
  out.push('*All*: `apiserver_request_total` delta on the resources a rollout touches (pods, RCs/ReplicaSets, Deployments, events, secrets), less the bench\'s own requests (taken from the audit log). *Orchestrator*: requests made by the deployflow worker or by the Deployment controller itself (audit log, every verb). Medians.', '');
  out.push('| replicas | surge | Deployment all | deployflow all | ratio | Deployment controller | deployflow worker | deployflow worker by verb |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const c of cs) {
    const med = (rs: RolloutSample[], f: (r: RolloutSample) => number) => spread(rs.map(f)).median;
    const dfVerbs = c.df[0] ? verbs(medianRecord(c.df.map((r) => r.orchestratorByVerb))) : '';
    out.push(
      `| ${c.replicas} | ${c.surge} | ${fx(med(c.dep, (r) => sum(r.apiByVerb)), 0)} | ${fx(med(c.df, (r) => sum(r.apiByVerb)), 0)} | ${ratio(paired(c, (r) => sum(r.apiByVerb)))} | ${fx(med(c.dep, (r) => sum(r.orchestratorByVerb)), 0)} | ${fx(med(c.df, (r) => sum(r.orchestratorByVerb)), 0)} | ${dfVerbs} |`,
    );
  }
  out.push('', 'All requests by verb (medians):', '');
  out.push('| replicas | surge | Deployment | deployflow |');
  out.push('|---:|---:|---|---|');
  for (const c of cs) out.push(`| ${c.replicas} | ${c.surge} | ${verbs(medianRecord(c.dep.map((r) => r.apiByVerb)))} | ${verbs(medianRecord(c.df.map((r) => r.apiByVerb)))} |`);

  out.push('', '### CPU per rollout', '');
  out.push('CPU seconds spent during the rollout (from /proc, utime + stime). kube-controller-manager runs the Deployment and ReplicaSet controllers for the baseline, and the ReplicationController manager for deployflow; deployflow adds its worker and the Temporal server. Medians.', '');
  out.push('| replicas | surge | Deployment: controller-manager | deployflow: worker | deployflow: Temporal | deployflow: controller-manager | apiserver (Dep / df) |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of cs) {
    const cpu = (rs: RolloutSample[], p: string) => fx(spread(rs.map((r) => r.cpu[p]?.cpuSeconds ?? Number.NaN)).median, 2);
    out.push(
      `| ${c.replicas} | ${c.surge} | ${cpu(c.dep, 'kube-controller-manager')} | ${cpu(c.df, 'worker')} | ${cpu(c.df, 'temporal')} | ${cpu(c.df, 'kube-controller-manager')} | ${cpu(c.dep, 'apiserver')} / ${cpu(c.df, 'apiserver')} |`,
    );
  }

  out.push('', '### Where deployflow\'s time goes (workflow history)', '');
  out.push('Per rollout, medians: Temporal history events, activities (dispatched through the server + local ones run inside a workflow task), and the split of the workflow\'s time between waiting for pods, the other activities (scale, list, render, create), and the gaps between one activity\'s completion and the next one\'s scheduling (workflow task round trips).', '');
  out.push('| replicas | surge | events | activities | per step | waiting (s) | between (s) | between per step (ms) | schedule→start (ms) |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const c of cs) {
    const hs = c.df.map((r) => r.history).filter((h) => h !== undefined);
    if (!hs.length) continue;
    const med = (f: (h: NonNullable<RolloutSample['history']>) => number) => spread(hs.map(f)).median;
    const acts = med((h) => activityCount(h, false));
    const locals = med((h) => activityCount(h, true));
    const steps = spread(c.df.map(stepsTaken)).median;
    out.push(
      `| ${c.replicas} | ${c.surge} | ${fx(med((h) => h.events), 0)} | ${fx(acts, 0)} + ${fx(locals, 0)} local | ${fx(acts / steps, 1)} + ${fx(locals / steps, 1)} | ${s1(med((h) => h.waitMs))} | ${s1(med((h) => h.betweenMs))} | ${fx(med((h) => h.betweenMs) / steps, 0)} | ${fx(med((h) => h.meanScheduleToStartMs), 1)} |`,
    );
  }
  out.push('', '### Invariants seen by the pod watch', '');
  out.push('Most pods alive at once (I2 allows `replicas + maxSurge`) and fewest Ready (I1 wants ≥ `replicas`), worst over all repeats.', '');
  out.push('| replicas | surge | Deployment max live / min ready | deployflow max live / min ready |');
  out.push('|---:|---:|---:|---:|');
  for (const c of cs) {
    const ext = (rs: RolloutSample[]) => `${Math.max(...rs.map((r) => r.maxLive))} / ${Math.min(...rs.map((r) => r.minReady))}`;
    out.push(`| ${c.replicas} | ${c.surge} | ${ext(c.dep)} | ${ext(c.df)} |`);
  }
  out.push('', ...growth(cs));
  return out;
}

function growth(cs: Cell[]): string[] {
  const out = ['### Cost growth with replicas', '', 'Exponent k of a fit cost ∝ replicas^k over the medians (k ≈ 1: linear).', ''];
  out.push('| surge | figure | Deployment | deployflow |', '|---:|---|---|---|');
  for (const surge of [...new Set(cs.map((c) => c.surge))]) {
    const row = cs.filter((c) => c.surge === surge);
    if (row.length < 2) continue;
    const fit = (rs: (c: Cell) => RolloutSample[], f: (r: RolloutSample) => number) =>
      describeGrowth(growthExponent(row.map((c) => ({ size: c.replicas, cost: spread(rs(c).map(f)).median }))));
    const figures: [string, (r: RolloutSample) => number][] = [
      ['wall time', (r) => r.wallMs],
      ['apiserver requests', (r) => sum(r.apiByVerb)],
      ['orchestrator requests', (r) => sum(r.orchestratorByVerb)],
    ];
    for (const [name, f] of figures) out.push(`| ${surge} | ${name} | ${fit((c) => c.dep, f)} | ${fit((c) => c.df, f)} |`);
  }
  return out;
}

function medianRecord(records: Record<string, number>[]): Record<string, number> {
  const keys = [...new Set(records.flatMap((r) => Object.keys(r)))];
  return Object.fromEntries(keys.map((k) => [k, Math.round(spread(records.map((r) => r[k] ?? 0)).median)]));
}

function concurrencyTables(samples: ConcurrencySample[]): string[] {
  if (!samples.length) return [];
  const levels = [...new Set(samples.map((s) => s.deploys))].sort((a, b) => a - b);
  const of = (sys: string, n: number) => samples.filter((s) => s.system === sys && s.deploys === n);
  const out = ['### Concurrent deploys through one worker', ''];
  out.push('N apps of 3 replicas (surge 1) rolled at the same moment. Total = trigger → last one done; per deploy = median of each deploy\'s own time. deployflow\'s worker is a fresh `deployctl worker` child process per measurement; its memory is sampled every 250 ms (idle = just before the trigger). Medians [min–max] over repeats.', '');
  out.push('| deploys | Deployment total (s) | deployflow total (s) | ratio | deployflow per deploy (s) | worker CPU (s) | worker peak RSS (MB) | worker idle RSS (MB) | Temporal CPU (s) | controller-manager CPU (s, Dep / df) | history events per deploy |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const n of levels) {
    const dep = of('deployment', n);
    const df = of('deployflow', n);
    const ratios = df.map((d) => d.totalMs / (dep.find((b) => b.repeat === d.repeat)?.totalMs ?? Number.NaN));
    const cpu = (ss: ConcurrencySample[], p: string) => spread(ss.map((s) => s.cpu[p]?.cpuSeconds ?? Number.NaN));
    out.push(
      `| ${n} | ${sec(spread(dep.map((s) => s.totalMs)))} | ${sec(spread(df.map((s) => s.totalMs)))} | ${ratio(spread(ratios))} | ${s1(spread(df.map((s) => s.perDeployMs.median)).median)} | ${num(cpu(df, 'worker'), 1)} | ${num(spread(df.map((s) => s.cpu.worker?.peakRssMb ?? Number.NaN)))} | ${fx(spread(df.map((s) => s.idleRssMb)).median, 0)} | ${fx(cpu(df, 'temporal').median, 1)} | ${fx(cpu(dep, 'kube-controller-manager').median, 1)} / ${fx(cpu(df, 'kube-controller-manager').median, 1)} | ${fx(spread(df.map((s) => s.historyEvents?.median ?? Number.NaN)).median, 0)} |`,
    );
  }
  if (samples.some((s) => s.system === 'deployflow-production')) {
    out.push('', "On the production topology's Temporal (server 1.29.1 on PostgreSQL, JWT authorization; `--temporal dev,production`), same run, same bench cluster, a fresh worker each time: only Temporal differs. Ratios are against the Deployment controller of the same repeat. Temporal CPU: the server process (production: plus the PostgreSQL postmaster; its backends are not counted). Medians.", '');
    out.push('| deploys | Deployment total (s) | deployflow, dev server (s) | ratio | deployflow, production Temporal (s) | ratio | Temporal CPU s (dev / production) | schedule→start ms (dev / production) | between activities per deploy s (dev / production) |');
    out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const n of levels) {
      const dep = of('deployment', n);
      const ratios = (ss: ConcurrencySample[]) => spread(ss.map((d) => d.totalMs / (dep.find((b) => b.repeat === d.repeat)?.totalMs ?? Number.NaN)));
      const dev = of('deployflow', n);
      const prod = of('deployflow-production', n);
      const med = (ss: ConcurrencySample[], f: (s: ConcurrencySample) => number, digits: number) => fx(spread(ss.map(f)).median, digits);
      const temporalCpu = (s: ConcurrencySample) => (s.cpu.temporal?.cpuSeconds ?? 0) + (s.cpu.postgres?.cpuSeconds ?? 0);
      out.push(
        `| ${n} | ${sec(spread(dep.map((s) => s.totalMs)))} | ${sec(spread(dev.map((s) => s.totalMs)))} | ${ratio(ratios(dev))} | ${sec(spread(prod.map((s) => s.totalMs)))} | ${ratio(ratios(prod))} | ${med(dev, temporalCpu, 1)} / ${med(prod, temporalCpu, 1)} | ${med(dev, (s) => s.scheduleToStartMs ?? Number.NaN, 0)} / ${med(prod, (s) => s.scheduleToStartMs ?? Number.NaN, 0)} | ${med(dev, (s) => (s.betweenMs ?? Number.NaN) / 1000, 2)} / ${med(prod, (s) => (s.betweenMs ?? Number.NaN) / 1000, 2)} |`,
      );
    }
  }
  out.push('', 'Where the time goes: machine CPU busy (all 2 cores, other users included), CPU seconds of every stack process plus the worker, and (deployflow) per deploy the mean wait from scheduling an activity to its start and the time between activities (workflow task round trips). Medians.', '');
  out.push('| deploys | machine busy % (Dep / df) | stack + worker CPU s (Dep / df) | schedule→start (ms) | between activities per deploy (s) |', '|---:|---:|---:|---:|---:|');
  for (const n of levels) {
    const busy = (ss: ConcurrencySample[]) => fx(spread(ss.map((s) => s.machineBusyPct ?? Number.NaN)).median, 0);
    const allCpu = (ss: ConcurrencySample[]) => fx(spread(ss.map((s) => Object.values(s.cpu).reduce((a, u) => a + u.cpuSeconds, 0))).median, 1);
    const df = of('deployflow', n);
    out.push(
      `| ${n} | ${busy(of('deployment', n))} / ${busy(df)} | ${allCpu(of('deployment', n))} / ${allCpu(df)} | ${fx(spread(df.map((s) => s.scheduleToStartMs ?? Number.NaN)).median, 0)} | ${fx(spread(df.map((s) => (s.betweenMs ?? Number.NaN) / 1000)).median, 2)} |`,
    );
  }
  out.push('', 'Requests per deploy (apiserver, rollout resources, less the bench\'s own; orchestrator = the worker / the Deployment controller):', '');
  out.push('| deploys | Deployment all | deployflow all | Deployment controller | deployflow worker |', '|---:|---:|---:|---:|---:|');
  for (const n of levels) {
    const per = (ss: ConcurrencySample[], f: (s: ConcurrencySample) => number) => fx(spread(ss.map((s) => f(s) / n)).median, 1);
    out.push(
      `| ${n} | ${per(of('deployment', n), (s) => sum(s.apiByVerb))} | ${per(of('deployflow', n), (s) => sum(s.apiByVerb))} | ${per(of('deployment', n), (s) => sum(s.orchestratorByVerb))} | ${per(of('deployflow', n), (s) => sum(s.orchestratorByVerb))} |`,
    );
  }
  if (levels.length >= 2) {
    const fit = (sys: string, f: (s: ConcurrencySample) => number) =>
      describeGrowth(growthExponent(levels.map((n) => ({ size: n, cost: spread(of(sys, n).map(f)).median }))));
    out.push('', 'Growth with the number of concurrent deploys (cost ∝ N^k):', '');
    out.push('| figure | Deployment | deployflow |', '|---|---|---|');
    out.push(`| total time | ${fit('deployment', (s) => s.totalMs)} | ${fit('deployflow', (s) => s.totalMs)} |`);
    out.push(`| orchestrator CPU | ${fit('deployment', (s) => s.cpu['kube-controller-manager']?.cpuSeconds ?? 0)} | ${fit('deployflow', (s) => s.cpu.worker?.cpuSeconds ?? 0)} |`);
    out.push(`| worker peak RSS | – | ${fit('deployflow', (s) => s.cpu.worker?.peakRssMb ?? 0)} |`);
    out.push(`| apiserver requests | ${fit('deployment', (s) => sum(s.apiByVerb))} | ${fit('deployflow', (s) => sum(s.apiByVerb))} |`);
  }
  return out;
}

export function renderReport(results: Results): string {
  const e = results.environment;
  const out = [
    `## Results: ${e.startedAt}`,
    '',
    `Command: \`${e.command}\``,
    '',
    `Machine: ${e.machine.cpus} CPUs (${e.machine.cpuModel}), ${e.machine.memoryGb} GB, ${e.machine.kernel}, load average at start ${e.machine.loadAtStart.join(' / ')} (shared with other work).`,
    '',
    `Versions: ${Object.entries(e.versions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}.`,
    '',
    `Settings: pods Ready ${e.settings.readyDelayMs}–${e.settings.readyDelayMs + e.settings.readyJitterMs} ms after start (uniform, KWOK stage, same for both systems), maxUnavailable 0, minReadySeconds ${e.settings.minReadySeconds}, ${e.settings.nodes} fake nodes.`,
    '',
    ...rolloutTables(results.rollouts, e.settings),
    '',
    ...concurrencyTables(results.concurrency),
    '',
  ];
  return out.join('\n');
}

export function chartOf(results: Results): string {
  const cs = cells(results.rollouts);
  const panels: Panel[] = [...new Set(cs.map((c) => c.surge))].map((surge) => {
    const row = cs.filter((c) => c.surge === surge);
    const floor = row.map((c) => ({ x: c.replicas, y: spread([c.df[0]?.floorMs ?? c.dep[0]?.floorMs ?? 0].map((v) => v / 1000)) }));
    return {
      title: `maxSurge ${surge}, maxUnavailable 0`,
      series: [
        { name: 'Deployment controller', color: '#1f77b4', points: row.map((c) => ({ x: c.replicas, y: spread(c.dep.map((r) => r.wallMs / 1000)) })) },
        { name: 'deployflow', color: '#d62728', points: row.map((c) => ({ x: c.replicas, y: spread(c.df.map((r) => r.wallMs / 1000)) })) },
        { name: 'readiness floor', color: '#777', dashed: true, points: floor },
      ],
    };
  });
  const e = results.environment;
  return wallTimeChart(panels, `median, whiskers min–max; pods Ready ${e.settings.readyDelayMs}–${e.settings.readyDelayMs + e.settings.readyJitterMs} ms; ${e.machine.cpus} CPUs; ${e.startedAt.slice(0, 10)}`);
}

export function writeReport(outDir: string, results: Results): void {
  fs.writeFileSync(path.join(outDir, 'report.md'), renderReport(results));
  if (results.rollouts.length) fs.writeFileSync(path.join(outDir, 'wall-time.svg'), chartOf(results));
  process.stderr.write(`[bench] report: ${path.join(outDir, 'report.md')}\n`);
}

/** The committed copies: bench/RESULTS.md (every table) and bench/wall-time.svg. */
export function publishReport(results: Results): void {
  const header = '<!-- Generated by `npm run bench -- --report-only --label <label> --publish` from bench/results/<label>/results.json. -->\n\n# Benchmark results (generated)\n\nSee [BENCHMARKS.md](../BENCHMARKS.md) for what this measures and what it means.\n\n';
  fs.writeFileSync(path.join(repoRoot, 'bench', 'RESULTS.md'), header + renderReport(results));
  if (results.rollouts.length) fs.writeFileSync(path.join(repoRoot, 'bench', 'wall-time.svg'), chartOf(results));
  process.stderr.write('[bench] published bench/RESULTS.md and bench/wall-time.svg\n');
}
