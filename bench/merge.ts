// One report from several runs with the same settings (e.g. the 500-replica
// cells run beside the others to fit a session):
//   npm run bench -- --merge full,scale500 --label published
// Each sample keeps its pairing (a repeat's two systems ran back to back in
// the same run), so every ratio stays one measured in a single run.
import type { Results } from './results.js';

export function mergeResults(runs: { label: string; results: Results }[]): Results {
  const [first, ...rest] = runs;
  if (!first) throw new Error('--merge needs at least one label');
  for (const run of rest) {
    const a = JSON.stringify(first.results.environment.settings);
    const b = JSON.stringify(run.results.environment.settings);
    if (a !== b) throw new Error(`--merge: run "${run.label}" has other settings (${b}) than "${first.label}" (${a})`);
  }
  const e = first.results.environment;
  return {
    environment: { ...e, command: runs.map((r) => r.results.environment.command).join('` and, at the same time, `') },
    // The same cell in two runs would pair repeats across runs: refuse it.
    rollouts: runs.flatMap((r, i) => {
      const cells = new Set(r.results.rollouts.map((s) => `${s.replicas}|${s.surge}`));
      for (const other of runs.slice(0, i)) {
        if (other.results.rollouts.some((s) => cells.has(`${s.replicas}|${s.surge}`))) {
          throw new Error(`--merge: runs "${other.label}" and "${r.label}" both measured the same rollout cell`);
        }
      }
      return r.results.rollouts;
    }),
    concurrency: runs.flatMap((r) => r.results.concurrency),
  };
}
