// The bench's own stack (never the shared one): up() in a folder of its own,
// enough fake nodes for 500 replicas plus surge, and two changes that only
// this stack gets, so every apiserver request can be attributed:
//  - the audit log records every verb (reads too), not only writes;
//  - the bench and the deployflow worker get tokens of their own, so audit
//    events tell them apart from each other and from the controllers.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { down, readState, restartComponent, up, type StackInfo } from '../stack/lifecycle.js';
import { addNodes, kubectl } from '../stack/nodes.js';
import { kubeconfigYaml } from '../stack/pki.js';
import type { BenchConfig } from './config.js';

export const BENCH_USER = 'bench';
export const WORKER_USER = 'deployflow-worker';

export interface BenchStack {
  info: StackInfo;
  apiserver: string;
  /** Token of the bench user (system:masters): metrics scrapes and the bench's own calls. */
  benchToken: string;
  benchKubeconfig: string;
  /** The deployflow worker's kubeconfig: its own user, so its requests are attributable. */
  workerKubeconfig: string;
  auditLog: string;
  pids: { apiserver: number; controllerManager: number; temporal: number; etcd: number; scheduler: number; kwok: number };
}

// Leases and node heartbeats are background noise; every other request is logged.
const AUDIT_ALL = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: None
    resources: [{ group: coordination.k8s.io, resources: [leases] }]
  - level: None
    resources: [{ group: '', resources: [nodes, nodes/status] }]
  - level: Metadata
`;

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export async function startBenchStack(cfg: BenchConfig): Promise<BenchStack> {
  // Read by stack/layout.ts and by renderStages() at up(): set before calling it.
  process.env.DEPLOYFLOW_STACK_DIR = cfg.stackDir;
  process.env.DEPLOYFLOW_POD_READY_DELAY_MS = String(cfg.readyDelayMs);
  process.env.DEPLOYFLOW_POD_READY_JITTER_MS = String(cfg.readyJitterMs);
  fs.mkdirSync(path.dirname(cfg.stackDir), { recursive: true });
  let info = await up({ nodes: cfg.nodes });
  const tokens = await instrument(info);
  info = { ...info, state: readState() ?? info.state };
  await addNodes(info.binDir, info.kubeconfig, cfg.nodes);
  const apiserver = `https://127.0.0.1:${info.state.ports.apiserver}`;
  const kubeconfigFor = (name: string, token: string) => {
    const file = path.join(cfg.stackDir, `${name}.kubeconfig`);
    fs.writeFileSync(file, kubeconfigYaml(apiserver, token), { mode: 0o600 });
    return file;
  };
  const pid = (c: keyof StackInfo['state']['pids']) => info.state.pids[c] ?? 0;
  return {
    info,
    apiserver,
    benchToken: tokens.bench,
    benchKubeconfig: kubeconfigFor('bench', tokens.bench),
    workerKubeconfig: kubeconfigFor('worker', tokens.worker),
    auditLog: path.join(info.logDir, 'audit.log'),
    pids: {
      apiserver: pid('kube-apiserver'),
      controllerManager: pid('kube-controller-manager'),
      temporal: pid('temporal'),
      etcd: pid('etcd'),
      scheduler: pid('kube-scheduler'),
      kwok: pid('kwok'),
    },
  };
}

export async function stopBenchStack(cfg: BenchConfig): Promise<void> {
  if (process.env.DEPLOYFLOW_STACK_DIR !== cfg.stackDir) throw new Error('refusing to stop a stack that is not the bench stack');
  await down();
}

/** Adds the bench's tokens and the all-verbs audit policy, then restarts the apiserver (once per stack). */
async function instrument(info: StackInfo): Promise<{ bench: string; worker: string }> {
  const pki = path.join(path.dirname(info.kubeconfig), 'pki');
  const saved = path.join(pki, 'bench-tokens.json');
  if (fs.existsSync(saved)) return JSON.parse(fs.readFileSync(saved, 'utf8')) as { bench: string; worker: string };
  const tokens = { bench: crypto.randomBytes(24).toString('hex'), worker: crypto.randomBytes(24).toString('hex') };
  fs.appendFileSync(
    path.join(pki, 'tokens.csv'),
    `${tokens.bench},${BENCH_USER},${BENCH_USER},"system:masters"\n${tokens.worker},${WORKER_USER},${WORKER_USER},"system:masters"\n`,
  );
  fs.writeFileSync(path.join(pki, 'audit-policy.yaml'), AUDIT_ALL);
  log('restarting the bench apiserver with bench tokens and an all-verbs audit policy');
  await restartComponent('kube-apiserver');
  await waitForControllers(info);
  fs.writeFileSync(saved, JSON.stringify(tokens), { mode: 0o600 });
  return tokens;
}

/** After an apiserver restart: the apiserver answers and the nodes are Ready again. */
async function waitForControllers(info: StackInfo): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await kubectl(info.binDir, info.kubeconfig, ['wait', '--for=condition=Ready', '--timeout=30s', '--all', 'nodes']);
      await kubectl(info.binDir, info.kubeconfig, ['get', 'serviceaccount', 'default', '-n', 'default']);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}
