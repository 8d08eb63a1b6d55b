// The deployflow worker as production runs it: a child process
// `node bin/deployctl.js worker --env E`, so its memory and CPU are its own.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../stack/layout.js';
import { sleep } from './kube.js';

export interface WorkerProcess {
  pid: number;
  stop(): Promise<void>;
}

export async function startWorkerProcess(opts: {
  environment: string;
  namespaces: string[];
  kubeconfig: string;
  temporalAddress: string;
  logFile: string;
  /** Another Temporal namespace and credentials (the production topology's). */
  temporal?: { namespace: string; apiKey: string };
}): Promise<WorkerProcess> {
  fs.mkdirSync(path.dirname(opts.logFile), { recursive: true });
  fs.writeFileSync(opts.logFile, '');
  const out = fs.openSync(opts.logFile, 'a');
  const nodeFlags = (process.env.BENCH_WORKER_EXEC_ARGV ?? '').split(' ').filter(Boolean);
  const args = [...nodeFlags, path.join(repoRoot, 'bin', 'deployctl.js'), 'worker', '--env', opts.environment, ...opts.namespaces.flatMap((n) => ['--namespace', n])];
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', out, out],
    env: {
      ...process.env,
      KUBECONFIG: opts.kubeconfig,
      TEMPORAL_ADDRESS: opts.temporalAddress,
      TEMPORAL_NAMESPACE: opts.temporal?.namespace ?? 'default',
      ...(opts.temporal && { TEMPORAL_API_KEY: opts.temporal.apiKey, TEMPORAL_TLS: 'false' }),
      // The image's memory settings, or BENCH_WORKER_NODE_OPTIONS instead of its NODE_OPTIONS. Flags that NODE_OPTIONS
      // refuses go in BENCH_WORKER_EXEC_ARGV: "--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the worker alone.
      ...imageMemorySettings(),
      ...(process.env.BENCH_WORKER_NODE_OPTIONS !== undefined && { NODE_OPTIONS: process.env.BENCH_WORKER_NODE_OPTIONS }),
    },
  });
  fs.closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Bundling the workflow code takes a few seconds; it polls once it logs this line.
  // Generous: on a loaded machine bundling alone has taken over a minute.
  await waitForLine(opts.logFile, '"worker started"', 300_000, child);
  await sleep(1000);
  return {
    pid: child.pid ?? 0,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The heap and allocator settings the deployflow image runs its worker with (Dockerfile: NODE_OPTIONS and every MALLOC_ tunable). */
function imageMemorySettings(): Record<string, string> {
  const dockerfile = fs.readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');
  const settings = Object.fromEntries([...dockerfile.matchAll(/^ENV (NODE_OPTIONS|MALLOC_[A-Z_]+)="?([^"\n]+)"?$/gm)].map((m) => [m[1], m[2]]));
  for (const name of ['NODE_OPTIONS', 'MALLOC_ARENA_MAX']) if (!settings[name]) throw new Error(`the Dockerfile sets no ${name}`);
  return settings;
}

async function waitForLine(file: string, text: string, timeoutMs: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.readFileSync(file, 'utf8').includes(text)) {
    if (child.exitCode !== null) throw new Error(`the worker exited (${child.exitCode}); see ${file}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not start within ${timeoutMs / 1000}s; see ${file}`);
    }
    await sleep(200);
  }
}
