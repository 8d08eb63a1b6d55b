// Before/after: the same figures from several runs side by side (the runs'
// labels in order), e.g. `npm run bench -- --compare before,after,full`.
import type { ConcurrencySample } from './measure-concurrency.js';
import { stepsTaken, type RolloutSample } from './measure-rollout.js';
import type { Results } from './results.js';
import { spread } from './stats.js';
import { activityCount } from './history.js';

const fx = (v: number, d = 2) => (Number.isFinite(v) ? v.toFixed(d) : '–');
const sum = (o: Record<string, number> | undefined) => Object.values(o ?? {}).reduce((a, b) => a + b, 0);
const med = (xs: number[]) => spread(xs).median;

function pairedRatio(rs: RolloutSample[], f: (r: RolloutSample) => number): string {
  const ratios = rs
    .filter((r) => r.system === 'deployflow')
    .map((df) => {
      const dep = rs.find((r) => r.system === 'deployment' && r.repeat === df.repeat);
      return dep ? f(df) / f(dep) : Number.NaN;
    });
  const sp = spread(ratios);
  return sp.n ? `${fx(sp.median)}× [${fx(sp.min)}–${fx(sp.max)}]` : '–';
}

export function compareRuns(runs: { label: string; results: Results }[]): string {
  const cells = [...new Set(runs.flatMap((r) => r.results.rollouts.map((s) => `${s.replicas}|${s.surge}`)))];
  const out: string[] = [];
  const header = (what: string) => {
    out.push('', `**${what}**`, '', `| replicas | surge | ${runs.map((r) => r.label).join(' | ')} |`, `|---:|---:|${runs.map(() => '---:').join('|')}|`);
  };
  const rows = (value: (rs: RolloutSample[]) => string) => {
    for (const cell of cells) {
      const [replicas, surge] = cell.split('|');
      const of = (r: Results) => r.rollouts.filter((s) => String(s.replicas) === replicas && String(s.surge) === surge);
      out.push(`| ${replicas} | ${surge} | ${runs.map((r) => (of(r.results).length ? value(of(r.results)) : '–')).join(' | ')} |`);
    }
  };
  const df = (rs: RolloutSample[]) => rs.filter((r) => r.system === 'deployflow');
  const dep = (rs: RolloutSample[]) => rs.filter((r) => r.system === 'deployment');
  /** deployflow's and the Deployment's medians of one figure, and their ratio. */
  const both = (rs: RolloutSample[], f: (r: RolloutSample) => number[], d = 0) => {
    const [a, b] = [med(df(rs).flatMap(f)), med(dep(rs).flatMap(f))];
    return Number.isFinite(a) && Number.isFinite(b) ? `${fx(a, d)} / ${fx(b, d)} (${fx(a / b)}×)` : '–';
  };
  const perStep = (rs: RolloutSample[], f: (r: RolloutSample) => number) => fx(med(df(rs).map((r) => f(r) / stepsTaken(r))), 1);
  const cpu = (r: RolloutSample, p: string) => r.cpu[p]?.cpuSeconds ?? Number.NaN;
  const cpuOf = (rs: RolloutSample[], p: string) => fx(med(rs.map((r) => cpu(r, p))), 2);
  header('Rollout wall time, deployflow ÷ Deployment (median [min–max] of paired repeats)');
  rows((rs) => pairedRatio(rs, (r) => r.wallMs));
  header('Ready → next scale-up of the new side, ms: deployflow / Deployment (medians, ratio)');
  rows((rs) => both(rs, (r) => r.reaction.scaleUpMs));
  header('Trigger → the new RC / ReplicaSet created, ms: deployflow / Deployment (medians, ratio)');
  rows((rs) => both(rs, (r) => (r.reaction.startMs === undefined ? [] : [r.reaction.startMs])));
  header('apiserver requests per rollout, deployflow ÷ Deployment');
  rows((rs) => pairedRatio(rs, (r) => sum(r.apiByVerb)));
  header('deployflow worker requests per rollout (median)');
  rows((rs) => fx(med(df(rs).map((r) => sum(r.orchestratorByVerb))), 0));
  header('deployflow history events per rollout (median)');
  rows((rs) => fx(med(df(rs).map((r) => r.history?.events ?? Number.NaN)), 0));
  header('deployflow per step: history events; workflow tasks; activities through the server + local ones (medians)');
  const activities = (r: RolloutSample, local: boolean) => (r.history ? activityCount(r.history, local) : Number.NaN);
  rows((rs) => `${perStep(rs, (r) => r.history?.events ?? Number.NaN)}; ${perStep(rs, (r) => r.history?.workflowTasks ?? Number.NaN)}; ${perStep(rs, (r) => activities(r, false))} + ${perStep(rs, (r) => activities(r, true))}`);
  header('CPU seconds per rollout: deployflow worker / Temporal / controller manager / apiserver; the Deployment\'s controller manager / apiserver (medians)');
  rows((rs) => `${cpuOf(df(rs), 'worker')} / ${cpuOf(df(rs), 'temporal')} / ${cpuOf(df(rs), 'kube-controller-manager')} / ${cpuOf(df(rs), 'apiserver')}; ${cpuOf(dep(rs), 'kube-controller-manager')} / ${cpuOf(dep(rs), 'apiserver')}`);

  const levels = [...new Set(runs.flatMap((r) => r.results.concurrency.map((s) => s.deploys)))].sort((a, b) => a - b);
  if (levels.length) {
    const level = (n: number, f: (ss: ConcurrencySample[]) => string) =>
      out.push(`| ${n} | ${runs.map((r) => {
        const ss = r.results.concurrency.filter((s) => s.deploys === n);
        return ss.some((s) => s.system === 'deployflow') ? f(ss) : '–';
      }).join(' | ')} |`);
    const table = (what: string) => out.push('', `**${what}**`, '', `| deploys | ${runs.map((r) => r.label).join(' | ')} |`, `|---:|${runs.map(() => '---').join('|')}|`);
    const dfs = (ss: ConcurrencySample[]) => ss.filter((s) => s.system === 'deployflow');
    const perDeploy = (ss: ConcurrencySample[], p: string, n: number) => fx(med(ss.map((s) => (s.cpu[p]?.cpuSeconds ?? Number.NaN) / n)), 3);
    table('Concurrent deploys: total time deployflow ÷ Deployment; history events per deploy; deployflow worker peak / idle RSS (MB)');
    for (const n of levels) {
      level(n, (ss) => {
        const ratio = med(dfs(ss).map((d) => d.totalMs / (ss.find((b) => b.system === 'deployment' && b.repeat === d.repeat)?.totalMs ?? Number.NaN)));
        const events = fx(med(dfs(ss).map((s) => s.historyEvents?.median ?? Number.NaN)), 0);
        return `${fx(ratio)}×; ${events}; ${fx(med(dfs(ss).map((s) => s.cpu.worker?.peakRssMb ?? Number.NaN)), 0)} / ${fx(med(dfs(ss).map((s) => s.idleRssMb)), 0)}`;
      });
    }
    table('Concurrent deploys, CPU seconds per deploy: deployflow worker / Temporal / controller manager / apiserver; the Deployment\'s controller manager / apiserver');
    for (const n of levels) {
      level(n, (ss) => {
        const d = dfs(ss);
        const b = ss.filter((s) => s.system === 'deployment');
        return `${perDeploy(d, 'worker', n)} / ${perDeploy(d, 'temporal', n)} / ${perDeploy(d, 'kube-controller-manager', n)} / ${perDeploy(d, 'apiserver', n)}; ${perDeploy(b, 'kube-controller-manager', n)} / ${perDeploy(b, 'apiserver', n)}`;
      });
    }
  }
  return out.join('\n') + '\n';
}
