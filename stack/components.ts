// The daemons of the local stack: how each is started and how we know it is
// healthy. Ports are chosen at `up` and kept in the state file, so a daemon
// restarted later (tests restart Temporal or the apiserver on purpose) comes
// back on the same address.
import path from 'node:path';
import https from 'node:https';
import http from 'node:http';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot, type stackFiles } from './layout.js';
import { SHARED_DYNAMIC_CONFIG } from './temporal-config.js';

export const COMPONENTS = ['etcd', 'temporal', 'codec-server', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const;
export type Component = (typeof COMPONENTS)[number];
/** One Kubernetes control plane: the dev stack has one, the production topology one per environment. */
export const CLUSTER_COMPONENTS = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kwok'] as const satisfies readonly Component[];

export interface Ports {
  etcdClient: number;
  etcdPeer: number;
  apiserver: number;
  controllerManager: number;
  scheduler: number;
  kwok: number;
  temporal: number;
  temporalUi: number;
  temporalHttp: number;
  temporalMetrics: number;
  codecServer: number;
}

export interface StackState {
  binDir: string;
  ports: Ports;
  adminToken: string;
  pids: Partial<Record<Component, number>>;
  startedAt: string;
  /** The dev stack's payload codec keys (DEPLOYFLOW_CODEC_KEYS) and its codec server's token. */
  codecKeys?: string;
  codecToken?: string;
}

/** The codec server's endpoint as the UI calls it: the token rides in the path (the dev UI sends no headers). */
export function uiCodecEndpoint(state: StackState): string {
  return `http://127.0.0.1:${state.ports.codecServer}/token/${state.codecToken ?? ''}`;
}

const DEV_DYNAMIC_CONFIG = {
  ...SHARED_DYNAMIC_CONFIG,
  // Every test environment's versioned worker adds a Worker Deployment, and a
  // reused dev stack outlives many test runs: the default cap (100 per namespace)
  // would make a worker's polls fail there. A production namespace has a few.
  'matching.maxDeployments': 10_000,
};

// The dev server's SQLite file in write-ahead-log mode, synced at checkpoints:
// the default (a rollback journal, synced on every commit) costs about 1 ms per
// transaction here, and one writer serializes them all. A killed server loses
// nothing this way (only the machine losing power could), which is what the
// crash and outage tests do to it.
const DEV_SQLITE_PRAGMAS = ['journal_mode=wal', 'synchronous=normal'];

export const SEARCH_ATTRIBUTES = [
  'DeployEnvironment', 'DeployApp', 'DeployImage', 'DeployPhase', 'DeployRequestedBy',
  // Releases run in the dev stack's one namespace too (domain/release-plan.ts RELEASE_SEARCH_ATTRIBUTES).
  'ReleaseApp', 'ReleaseImage', 'ReleasePhase', 'ReleaseAwaitingApproval', 'ReleaseRequestedBy',
];

type Files = ReturnType<typeof stackFiles>;

export function commandFor(component: Component, state: StackState, files: Files): { binary: string; args: string[]; env?: NodeJS.ProcessEnv } {
  const { ports, binDir } = state;
  const bin = (name: string) => path.join(binDir, name);
  const clientFlags = [`--kubeconfig=${files.kubeconfig}`];
  switch (component) {
    case 'etcd':
      return {
        binary: bin('etcd'),
        args: [
          '--name=deployflow',
          `--data-dir=${files.etcdData}`,
          `--listen-client-urls=http://127.0.0.1:${ports.etcdClient}`,
          `--advertise-client-urls=http://127.0.0.1:${ports.etcdClient}`,
          `--listen-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
          `--initial-advertise-peer-urls=http://127.0.0.1:${ports.etcdPeer}`,
          `--initial-cluster=deployflow=http://127.0.0.1:${ports.etcdPeer}`,
          // A throwaway test cluster: durability of each write is not worth an fsync.
          '--unsafe-no-fsync',
          '--log-level=warn',
        ],
      };
    case 'kube-apiserver':
      return {
        binary: bin('kube-apiserver'),
        args: [
          `--etcd-servers=http://127.0.0.1:${ports.etcdClient}`,
          '--bind-address=127.0.0.1',
          '--advertise-address=127.0.0.1',
          `--secure-port=${ports.apiserver}`,
          `--cert-dir=${files.pki}`,
          `--token-auth-file=${path.join(files.pki, 'tokens.csv')}`,
          '--authorization-mode=RBAC',
          '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
          `--service-account-key-file=${path.join(files.pki, 'sa.pub')}`,
          `--service-account-signing-key-file=${path.join(files.pki, 'sa.key')}`,
          '--service-cluster-ip-range=10.96.0.0/16',
          '--allow-privileged=true',
          // Audit every write, so tests can prove that bad input wrote nothing.
          `--audit-log-path=${path.join(files.logs, 'audit.log')}`,
          `--audit-policy-file=${path.join(files.pki, 'audit-policy.yaml')}`,
          '--audit-log-maxsize=200',
        ],
      };
    case 'kube-controller-manager':
      return {
        binary: bin('kube-controller-manager'),
        args: [
          ...clientFlags,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${ports.controllerManager}`,
          `--service-account-private-key-file=${path.join(files.pki, 'sa.key')}`,
          '--use-service-account-credentials=false',
          '--kube-api-qps=200',
          '--kube-api-burst=400',
          '--concurrent-rc-syncs=10',
        ],
      };
    case 'kube-scheduler':
      return {
        binary: bin('kube-scheduler'),
        args: [...clientFlags, '--leader-elect=false', '--bind-address=127.0.0.1', `--secure-port=${ports.scheduler}`],
      };
    case 'kwok':
      return {
        binary: bin('kwok'),
        args: [
          ...clientFlags,
          `--config=${files.stages}`,
          '--manage-all-nodes=false',
          '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
          `--server-address=127.0.0.1:${ports.kwok}`,
          '--node-lease-duration-seconds=40',
          '--cidr=10.244.0.1/16',
          '--node-ip=10.0.0.1',
        ],
      };
    case 'codec-server':
      return {
        binary: process.execPath,
        args: [
          path.join(repoRoot, 'bin', 'deployctl.js'),
          'codec-server',
          `--port=${ports.codecServer}`,
          `--allow-origin=http://127.0.0.1:${ports.temporalUi}`,
          `--allow-origin=http://localhost:${ports.temporalUi}`,
          `--token-file=${files.codecToken}`,
        ],
        env: { ...process.env, DEPLOYFLOW_CODEC_KEYS: undefined, DEPLOYFLOW_CODEC_KEY_FILE: files.codecKeys },
      };
    case 'temporal':
      return {
        binary: bin('temporal'),
        args: [
          'server',
          'start-dev',
          '--ip=127.0.0.1',
          `--port=${ports.temporal}`,
          `--ui-port=${ports.temporalUi}`,
          `--http-port=${ports.temporalHttp}`,
          `--metrics-port=${ports.temporalMetrics}`,
          `--db-filename=${files.temporalDb}`,
          ...DEV_SQLITE_PRAGMAS.map((pragma) => `--sqlite-pragma=${pragma}`),
          '--log-level=warn',
          `--ui-codec-endpoint=${uiCodecEndpoint(state)}`,
          ...SEARCH_ATTRIBUTES.map((name) => `--search-attribute=${name}=Keyword`),
          ...Object.entries(DEV_DYNAMIC_CONFIG).map(([key, value]) => `--dynamic-config-value=${key}=${JSON.stringify(value)}`),
        ],
      };
  }
}

export async function isHealthy(component: Component, state: StackState): Promise<boolean> {
  const { ports } = state;
  switch (component) {
    case 'etcd':
      return (await httpGet(`http://127.0.0.1:${ports.etcdClient}/health`)).includes('"health":"true"');
    case 'kube-apiserver':
      return (await httpGet(`https://127.0.0.1:${ports.apiserver}/readyz`, state.adminToken)) === 'ok';
    case 'kube-controller-manager':
      return (await httpGet(`https://127.0.0.1:${ports.controllerManager}/healthz`)) === 'ok';
    case 'kube-scheduler':
      return (await httpGet(`https://127.0.0.1:${ports.scheduler}/healthz`)) === 'ok';
    case 'kwok':
      return (await httpGet(`http://127.0.0.1:${ports.kwok}/healthz`)) === 'ok';
    case 'codec-server':
      return (await httpGet(`http://127.0.0.1:${ports.codecServer}/health`)).includes('ok');
    case 'temporal': {
      const run = promisify(execFile);
      await run(path.join(state.binDir, 'temporal'), ['operator', 'cluster', 'health', `--address=127.0.0.1:${ports.temporal}`], {
        timeout: 10_000,
      });
      return (await httpGet(`http://127.0.0.1:${ports.temporalUi}/`)).length > 0;
    }
  }
}

/** GET a URL on loopback; resolves with the body of a 2xx answer, rejects otherwise. */
export function httpGet(url: string, token?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {};
    const options = { headers, rejectUnauthorized: false, timeout: 5_000 };
    const request = (url.startsWith('https:') ? https : http).get(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => ((res.statusCode ?? 500) < 300 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
    });
    request.on('timeout', () => request.destroy(new Error(`${url}: timeout`)));
    request.on('error', reject);
  });
}
