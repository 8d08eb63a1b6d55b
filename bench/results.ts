// The results file of a run (bench/results/<label>/results.json), written
// after every sample so an interrupted run keeps what it measured.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../stack/layout.js';
import type { BenchConfig } from './config.js';
import type { ConcurrencySample } from './measure-concurrency.js';
import type { RolloutSample } from './measure-rollout.js';

export interface Environment {
  startedAt: string;
  command: string;
  machine: { cpus: number; cpuModel: string; memoryGb: number; kernel: string; loadAtStart: number[] };
  versions: Record<string, string>;
  settings: { readyDelayMs: number; readyJitterMs: number; minReadySeconds: number; nodes: number; concurrencyReplicas: number };
}

export interface Results {
  environment: Environment;
  rollouts: RolloutSample[];
  concurrency: ConcurrencySample[];
}

export function newResults(cfg: BenchConfig, argv: string[]): Results {
  return { environment: describeEnvironment(cfg, argv), rollouts: [], concurrency: [] };
}

export function resultsFile(outDir: string): string {
  return path.join(outDir, 'results.json');
}

export function saveResults(outDir: string, results: Results): void {
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(resultsFile(outDir), JSON.stringify(results, null, 1));
}

export function loadResults(outDir: string): Results {
  return JSON.parse(fs.readFileSync(resultsFile(outDir), 'utf8')) as Results;
}

function describeEnvironment(cfg: BenchConfig, argv: string[]): Environment {
  const versions: Record<string, string> = { node: process.version };
  const env = fs.readFileSync(path.join(repoRoot, 'stack', 'versions.env'), 'utf8');
  for (const m of env.matchAll(/^(\w+)_VERSION=(\S+)$/gm)) versions[(m[1] ?? '').toLowerCase().replace('_cli', ' cli')] = m[2] ?? '';
  for (const pkg of ['@temporalio/worker', '@temporalio/client', '@kubernetes/client-node', 'typescript', 'tsx']) {
    try {
      versions[pkg] = (JSON.parse(fs.readFileSync(path.join(repoRoot, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      versions[pkg] = '?';
    }
  }
  return {
    startedAt: new Date().toISOString(),
    command: ['npm run bench', '--', ...argv].join(' ').replace(/ --$/, ''),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? '?',
      memoryGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
      kernel: `${os.type()} ${os.release()}`,
      loadAtStart: os.loadavg().map((l) => Math.round(l * 100) / 100),
    },
    versions,
    settings: {
      readyDelayMs: cfg.readyDelayMs,
      readyJitterMs: cfg.readyJitterMs,
      minReadySeconds: cfg.minReadySeconds,
      nodes: cfg.nodes,
      concurrencyReplicas: cfg.concurrencyReplicas,
    },
  };
}
