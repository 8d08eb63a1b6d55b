// up / down / status of the local stack. `up` is idempotent: a healthy stack
// described by the state file is reused; a broken one is torn down and started
// afresh.
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { CLUSTER_COMPONENTS, COMPONENTS, commandFor, isHealthy, type Component, type Ports, type StackState } from './components.js';
import { generateKeyEntry } from '../codec/keys.js';
import { stackFiles, repoRoot, type StackFiles } from './layout.js';
import { freePort, isAlive, startDaemon, stopDaemon, waitFor } from './processes.js';
import { kubeconfigYaml, writePki } from './pki.js';
import { addNodes, kubectl } from './nodes.js';

export interface StackInfo {
  kubeconfig: string;
  temporalAddress: string;
  uiUrl: string;
  /** The codec server (its token is in state.codecToken). */
  codecUrl: string;
  envFile: string;
  binDir: string;
  logDir: string;
  state: StackState;
}

const log = (msg: string) => process.stderr.write(`[stack] ${msg}\n`);

export function readState(files = stackFiles()): StackState | undefined {
  try {
    return JSON.parse(fs.readFileSync(files.state, 'utf8')) as StackState;
  } catch {
    return undefined;
  }
}

function writeState(state: StackState, files = stackFiles()): void {
  fs.writeFileSync(files.state, JSON.stringify(state, null, 2));
}

export function infoOf(state: StackState, files = stackFiles()): StackInfo {
  return {
    kubeconfig: files.kubeconfig,
    temporalAddress: `127.0.0.1:${state.ports.temporal}`,
    uiUrl: `http://127.0.0.1:${state.ports.temporalUi}`,
    codecUrl: `http://127.0.0.1:${state.ports.codecServer}`,
    envFile: files.env,
    binDir: state.binDir,
    logDir: files.logs,
    state,
  };
}

export async function componentHealth(state: StackState): Promise<Record<Component, boolean>> {
  const entries = await Promise.all(
    COMPONENTS.map(async (c) => {
      const pid = state.pids[c];
      const healthy = pid !== undefined && isAlive(pid) && (await isHealthy(c, state).catch(() => false));
      return [c, healthy] as const;
    }),
  );
  return Object.fromEntries(entries) as Record<Component, boolean>;
}

/** Runs stack/build.sh (builds only what is missing) and returns the bin folder. */
export function buildStack(args: string[] = []): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot, 'stack', 'build.sh'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const binDir = out.trim().split('\n').pop() ?? '';
      if (code === 0 && binDir) resolve(binDir);
      else reject(new Error(`stack/build.sh failed with exit code ${code}`));
    });
  });
}

export async function up(options: { nodes?: number } = {}): Promise<StackInfo> {
  const files = stackFiles();
  const existing = readState(files);
  if (existing) {
    const health = await componentHealth(existing);
    if (Object.values(health).every(Boolean)) {
      log(`reusing the running stack (${files.dir})`);
      return infoOf(existing, files);
    }
    log(`stack is unhealthy (${describeHealth(health)}); restarting it`);
    await down();
  }

  const started = Date.now();
  const binDir = await buildStack();
  fs.rmSync(files.dir, { recursive: true, force: true });
  const state = await prepareCluster(binDir, files);
  // Every stack encrypts its payloads, so the demo and the tests run as production should.
  state.codecKeys = generateKeyEntry(`stack-${Date.now().toString(36)}`);
  state.codecToken = crypto.randomBytes(24).toString('hex');
  fs.writeFileSync(files.codecKeys, state.codecKeys + '\n', { mode: 0o600 });
  fs.writeFileSync(files.codecToken, state.codecToken + '\n', { mode: 0o600 });

  try {
    // Temporal does not depend on the cluster: start it first, it takes longest.
    await startComponent('temporal', state, files, false);
    await startComponent('codec-server', state, files, false);
    await startCluster(state, files, options.nodes);
    await waitHealthy('temporal', state);
    await waitHealthy('codec-server', state);
  } catch (err) {
    log(`could not start the stack: ${(err as Error).message}`);
    printLogs(files.logs);
    throw err;
  }

  writeEnvFile(state, files);
  log(`stack up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return infoOf(state, files);
}

/**
 * The files and ports of one Kubernetes control plane (etcd, apiserver,
 * controller manager, scheduler, KWOK) in `files.dir`: its PKI, admin
 * kubeconfig and KWOK stages, nothing started yet.
 */
export async function prepareCluster(binDir: string, files: StackFiles): Promise<StackState> {
  fs.mkdirSync(files.logs, { recursive: true });
  const ports = await pickPorts();
  const { adminToken } = writePki(files.pki);
  fs.writeFileSync(files.kubeconfig, kubeconfigYaml(`https://127.0.0.1:${ports.apiserver}`, adminToken), { mode: 0o600 });
  fs.writeFileSync(files.stages, renderStages());
  return { binDir, ports, adminToken, pids: {}, startedAt: new Date().toISOString() };
}

/** Starts a prepared control plane, waits until it is healthy and has `nodes` Ready fake nodes. */
export async function startCluster(state: StackState, files: StackFiles, nodeCount?: number): Promise<void> {
  const { binDir } = state;
  await startComponent('etcd', state, files);
  await startComponent('kube-apiserver', state, files);
  for (const c of ['kube-controller-manager', 'kube-scheduler', 'kwok'] as const) await startComponent(c, state, files, false);
  for (const c of CLUSTER_COMPONENTS) await waitHealthy(c, state);
  const nodes = await addNodes(binDir, files.kubeconfig, nodeCount ?? Number(process.env.DEPLOYFLOW_STACK_NODES ?? 3));
  // Pods are refused until the service-account controller has made `default`.
  await waitFor('the default service account', async () => {
    await kubectl(binDir, files.kubeconfig, ['get', 'serviceaccount', 'default', '-n', 'default']);
    return true;
  }, 60_000);
  log(`${nodes.length} fake nodes Ready (${files.dir})`);
}

/** Stops the daemons of `state` in reverse start order (controllers before the apiserver, etcd last). */
export async function stopDaemons(state: StackState): Promise<void> {
  for (const c of [...COMPONENTS].reverse()) {
    const pid = state.pids[c];
    if (pid !== undefined) await stopDaemon(pid);
  }
}

export async function down(): Promise<void> {
  const files = stackFiles();
  const state = readState(files);
  if (state) await stopDaemons(state);
  fs.rmSync(files.dir, { recursive: true, force: true });
  log('stack down');
}

/** Stops one component (SIGKILL when `hard`): tests use it to simulate outages. */
export async function stopComponent(component: Component, options: { hard?: boolean } = {}): Promise<void> {
  const files = stackFiles();
  const state = readState(files);
  const pid = state?.pids[component];
  if (!state || pid === undefined) throw new Error(`${component} is not running`);
  await stopDaemon(pid, options.hard ? 0 : 10_000);
  delete state.pids[component];
  writeState(state, files);
}

/** Starts a stopped component again on its old ports and waits until it is healthy. */
export async function restartComponent(component: Component): Promise<void> {
  const files = stackFiles();
  const state = readState(files);
  if (!state) throw new Error('no stack is running');
  const pid = state.pids[component];
  if (pid !== undefined && isAlive(pid)) await stopDaemon(pid);
  await startComponent(component, state, files);
}

export async function startComponent(component: Component, state: StackState, files: StackFiles, wait = true): Promise<void> {
  const { binary, args, env } = commandFor(component, state, files);
  state.pids[component] = startDaemon(component, binary, args, files.logs, env);
  writeState(state, files);
  if (wait) await waitHealthy(component, state);
}

export async function waitHealthy(component: Component, state: StackState): Promise<void> {
  const pid = state.pids[component];
  await waitFor(`${component} to become healthy`, async () => {
    if (pid === undefined || !isAlive(pid)) throw new Error(`${component} exited`);
    return isHealthy(component, state);
  }, 120_000);
}

async function pickPorts(): Promise<Ports> {
  const names: (keyof Ports)[] = [
    'etcdClient', 'etcdPeer', 'apiserver', 'controllerManager', 'scheduler', 'kwok',
    'temporal', 'temporalUi', 'temporalHttp', 'temporalMetrics', 'codecServer',
  ];
  const ports = new Set<number>();
  while (ports.size < names.length) ports.add(await freePort());
  const list = [...ports];
  return Object.fromEntries(names.map((n, i) => [n, list[i]])) as unknown as Ports;
}

function renderStages(): string {
  const template = fs.readFileSync(path.join(repoRoot, 'stack', 'kwok', 'stages.yaml'), 'utf8');
  const setting = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
  const readyDelay = setting('DEPLOYFLOW_POD_READY_DELAY_MS', 1000);
  return template
    .replaceAll('__READY_DELAY_MS__', String(readyDelay))
    .replaceAll('__READY_MAX_MS__', String(readyDelay + setting('DEPLOYFLOW_POD_READY_JITTER_MS', 500)))
    .replaceAll('__DELETE_DELAY_MS__', String(setting('DEPLOYFLOW_POD_DELETE_DELAY_MS', 300)));
}

function writeEnvFile(state: StackState, files: ReturnType<typeof stackFiles>): void {
  const info = infoOf(state, files);
  const lines = [
    `KUBECONFIG=${info.kubeconfig}`,
    `TEMPORAL_ADDRESS=${info.temporalAddress}`,
    'TEMPORAL_NAMESPACE=default',
    `DEPLOYFLOW_TEMPORAL_UI=${info.uiUrl}`,
    `DEPLOYFLOW_STACK_BIN=${info.binDir}`,
    `DEPLOYFLOW_CODEC_KEYS=${state.codecKeys ?? ''}`,
    `DEPLOYFLOW_CODEC_SERVER=${info.codecUrl}`,
    `DEPLOYFLOW_CODEC_SERVER_TOKEN=${state.codecToken ?? ''}`,
  ];
  fs.writeFileSync(files.env, lines.join('\n') + '\n');
}

export function describeHealth(health: Record<Component, boolean>): string {
  return Object.entries(health)
    .map(([c, ok]) => `${c} ${ok ? 'up' : 'DOWN'}`)
    .join(', ');
}

/** Prints the tail of every component log: what a failed start leaves to read. */
export function printLogs(logDir = stackFiles().logs, lines = 40): void {
  if (!fs.existsSync(logDir)) return;
  for (const file of fs.readdirSync(logDir).filter((f) => f.endsWith('.log') && f !== 'audit.log')) {
    const text = fs.readFileSync(path.join(logDir, file), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    process.stderr.write(`\n----- ${file} (last ${lines} lines) -----\n${text}\n`);
  }
}
