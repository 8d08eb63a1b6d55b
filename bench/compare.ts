// Before/after: the same figures from several runs side by side (the runs'
// labels in order), e.g. `npm run bench -- --compare before,after,full`.
import type { ConcurrencySample } from './measure-concurrency.js';
import type { RolloutSample } from './measure-rollout.js';
import type { Results } from './results.js';
import { spread } from './stats.js';

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
  header('Rollout wall time, deployflow ÷ Deployment (median [min–max] of paired repeats)');
  rows((rs) => pairedRatio(rs, (r) => r.wallMs));
  header('apiserver requests per rollout, deployflow ÷ Deployment');
  rows((rs) => pairedRatio(rs, (r) => sum(r.apiByVerb)));
  header('deployflow worker requests per rollout (median)');
  rows((rs) => fx(med(df(rs).map((r) => sum(r.orchestratorByVerb))), 0));
  header('deployflow Ready → next scale-up of the new RC, ms (median)');
  rows((rs) => fx(med(df(rs).flatMap((r) => r.reaction.scaleUpMs)), 0));
  header('deployflow history events per rollout (median)');
  rows((rs) => fx(med(df(rs).map((r) => r.history?.events ?? Number.NaN)), 0));
  header('deployflow worker + Temporal CPU seconds per rollout (median)');
  rows((rs) => fx(med(df(rs).map((r) => (r.cpu.worker?.cpuSeconds ?? 0) + (r.cpu.temporal?.cpuSeconds ?? 0))), 1));

  const levels = [...new Set(runs.flatMap((r) => r.results.concurrency.map((s) => s.deploys)))].sort((a, b) => a - b);
  if (levels.length) {
    out.push('', '**Concurrent deploys: total time deployflow ÷ Deployment; deployflow worker + Temporal CPU seconds per deploy; history events per deploy**', '');
    out.push(`| deploys | ${runs.map((r) => r.label).join(' | ')} |`, `|---:|${runs.map(() => '---').join('|')}|`);
    for (const n of levels) {
      const cell = (ss: ConcurrencySample[]) => {
        const dep = ss.filter((s) => s.system === 'deployment');
        const dfs = ss.filter((s) => s.system === 'deployflow');
        if (!dfs.length) return '–';
        const ratio = med(dfs.map((d) => d.totalMs / (dep.find((b) => b.repeat === d.repeat)?.totalMs ?? Number.NaN)));
        const cpu = med(dfs.map((s) => ((s.cpu.worker?.cpuSeconds ?? 0) + (s.cpu.temporal?.cpuSeconds ?? 0)) / n));
        return `${fx(ratio)}×; ${fx(cpu, 2)} s; ${fx(med(dfs.map((s) => s.historyEvents?.median ?? Number.NaN)), 0)}`;
      };
      out.push(`| ${n} | ${runs.map((r) => cell(r.results.concurrency.filter((s) => s.deploys === n))).join(' | ')} |`);
    }
  }
  return out.join('\n') + '\n';
}
