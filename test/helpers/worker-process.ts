// A deploy worker as a real, separate process (`node bin/deployctl.js worker`),
// so fault tests can kill -9 it: no graceful shutdown, no finally blocks, the
// in-flight activities and workflow tasks simply vanish with it.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../../stack/layout.js';

export interface WorkerProcessOptions {
  environment: string;
  namespaces: string[];
  kubeconfig: string;
  temporalAddress: string;
  /** Where its stdout/stderr go (one file per process). */
  logFile: string;
  /** Extra environment (codec keys of a rotation, DEPLOYFLOW_WEBHOOKS); undefined removes a variable. */
  env?: Record<string, string | undefined>;
  /** Extra flags of `deployctl worker` (--ready-file, --build-id, ...). */
  args?: string[];
}

export class WorkerProcess {
  private constructor(
    readonly child: ChildProcess,
    readonly logFile: string,
    readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>,
  ) {}

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Spawns the worker and resolves once it logged "worker started" (bundle built, connected, polling next). */
  static async start(options: WorkerProcessOptions, timeoutMs = 120_000): Promise<WorkerProcess> {
    fs.mkdirSync(path.dirname(options.logFile), { recursive: true });
    const log = fs.openSync(options.logFile, 'a');
    const args = [path.join(repoRoot, 'bin', 'deployctl.js'), 'worker', '--env', options.environment];
    for (const ns of options.namespaces) args.push('--namespace', ns);
    args.push(...(options.args ?? []));
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      stdio: ['ignore', log, log],
      env: { ...process.env, KUBECONFIG: options.kubeconfig, TEMPORAL_ADDRESS: options.temporalAddress, TEMPORAL_NAMESPACE: 'default', ...options.env },
    });
    fs.closeSync(log);
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const worker = new WorkerProcess(child, options.logFile, exited);
    const deadline = Date.now() + timeoutMs;
    let gone = false;
    void exited.then(() => (gone = true));
    for (;;) {
      if (fs.readFileSync(options.logFile, 'utf8').includes('"worker started"')) return worker;
      if (gone) throw new Error(`worker ${options.environment} exited before it started; log:\n${tail(options.logFile)}`);
      if (Date.now() > deadline) {
        worker.kill9();
        throw new Error(`worker ${options.environment} did not start within ${timeoutMs / 1000}s; log:\n${tail(options.logFile)}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGKILL: what an OOM kill or a lost node does to a worker. Resolves once the process is gone. */
  async kill9(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** A polite stop (SIGTERM, then SIGKILL after `graceMs`). */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}

function tail(file: string, lines = 30): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
