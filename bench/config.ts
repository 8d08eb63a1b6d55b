// What a benchmark run measures, from the command line:
//   npm run bench                      the full matrix (hours on 2 cores)
//   npm run bench:quick                a small sample (minutes)
//   npm run bench -- --suites rollout --replicas 10,100 --surges 1 --repeats 3
//   npm run bench -- --repeats 3 --slow-repeats 2      (--slow-repeats: cells of 500+ replicas at surge 1)
//   npm run bench -- --no-codec ...    payloads in clear text (the stack encrypts by default): the codec's cost
import { parseArgs } from 'node:util';
import path from 'node:path';
import { repoRoot } from '../stack/layout.js';

export type Surge = number | string;

export interface BenchConfig {
  label: string;
  suites: Set<'rollout' | 'concurrency'>;
  replicas: number[];
  surges: Surge[];
  /** Repeats of one (replicas, surge) cell; big cells may get fewer. */
  repeats: (replicas: number, surge: Surge) => number;
  concurrency: number[];
  concurrencyRepeats: number;
  /** Replicas of each app in the concurrency suite. */
  concurrencyReplicas: number;
  minReadySeconds: number;
  readyDelayMs: number;
  readyJitterMs: number;
  nodes: number;
  /** Where results, logs and the bench's own stack live (gitignored). */
  outDir: string;
  stackDir: string;
  /** Keep the stack running afterwards (for poking at it). */
  keepStack: boolean;
  /** Also run deployflow's concurrency measurements on the production topology's Temporal (--temporal dev,production). */
  productionTemporal: boolean;
  /** Encrypt payloads with the stack's codec key (the default), or send them in clear text. */
  codec: boolean;
}

const list = <T>(text: string | undefined, parse: (s: string) => T): T[] | undefined =>
  text === undefined ? undefined : text.split(',').filter(Boolean).map(parse);

const surgeOf = (s: string): Surge => (s.endsWith('%') ? s : Number(s));

export function readConfig(argv: string[]): BenchConfig {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: 'boolean' },
      suites: { type: 'string' },
      replicas: { type: 'string' },
      surges: { type: 'string' },
      repeats: { type: 'string' },
      'slow-repeats': { type: 'string' },
      concurrency: { type: 'string' },
      'concurrency-repeats': { type: 'string' },
      'min-ready-seconds': { type: 'string' },
      label: { type: 'string' },
      'keep-stack': { type: 'boolean' },
      temporal: { type: 'string' },
      'no-codec': { type: 'boolean' },
    },
  });
  const quick = values.quick ?? false;
  const label = values.label ?? (quick ? 'quick' : 'full');
  const fixedRepeats = values.repeats === undefined ? undefined : Number(values.repeats);
  const outDir = path.join(repoRoot, 'bench', 'results', label);
  return {
    label,
    suites: new Set((list(values.suites, (s) => s) ?? ['rollout', 'concurrency']) as ('rollout' | 'concurrency')[]),
    replicas: list(values.replicas, Number) ?? (quick ? [10, 100] : [10, 100, 500]),
    surges: list(values.surges, surgeOf) ?? [1, '25%'],
    // 500 replicas one at a time is ~12 minutes per rollout per system: fewer repeats there (--slow-repeats).
    repeats: (replicas, surge) =>
      replicas >= 500 && surge === 1
        ? Number(values['slow-repeats'] ?? fixedRepeats ?? 3)
        : (fixedRepeats ?? (quick ? 2 : 5)),
    concurrency: list(values.concurrency, Number) ?? (quick ? [1, 10] : [1, 10, 50, 100]),
    concurrencyRepeats: Number(values['concurrency-repeats'] ?? (quick ? 1 : 3)),
    concurrencyReplicas: 3,
    minReadySeconds: Number(values['min-ready-seconds'] ?? 0),
    readyDelayMs: Number(process.env.DEPLOYFLOW_POD_READY_DELAY_MS ?? 1000),
    readyJitterMs: Number(process.env.DEPLOYFLOW_POD_READY_JITTER_MS ?? 500),
    // 500 replicas + 25% surge = 625 pods at once; 110 pods per node.
    nodes: 8,
    outDir,
    stackDir: process.env.DEPLOYFLOW_STACK_DIR ?? path.join(outDir, 'stack'),
    keepStack: values['keep-stack'] ?? false,
    productionTemporal: (values.temporal ?? 'dev').split(',').includes('production'),
    codec: !(values['no-codec'] ?? false),
  };
}
