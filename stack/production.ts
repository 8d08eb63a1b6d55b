// The production topology of the local stack (`npm run stack:up -- --topology
// production`): the shape docker-compose.yml describes, on this machine.
//   - PostgreSQL (Debian's) with Temporal's two databases, set up by Temporal's SQL tool;
//   - the Temporal server from compose/temporal/deployflow.yaml, JWT authorization on,
//     keys from a JWKS the stack serves; the standalone Web UI server in front of it;
//   - one Temporal namespace and one Kubernetes control plane per environment, and
//     one deployflow worker per environment holding only its own namespace's token
//     and its own cluster's ServiceAccount kubeconfig (examples/rbac);
//   - a `release` namespace and the release worker, holding only that namespace's token
//     and no kubeconfig: releases reach each environment through its Nexus endpoint.
// Everything lives in its own folder (.stack-production/), next to the dev stack.
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { CLUSTER_COMPONENTS, httpGet, type StackState } from './components.js';
import { buildStack, componentHealth, prepareCluster, readState, startCluster, stopDaemons } from './lifecycle.js';
import { repoRoot, stackFiles } from './layout.js';
import { keyFiles, mintToken, PRINCIPALS, writeSigningKey, type Principal } from './jwt.js';
import { kubectl } from './nodes.js';
import { initPostgres, postgresFiles, postgresReady, startPostgres, stopPostgres } from './postgres.js';
import { freePort, isAlive, startDaemon, stopDaemon, waitFor } from './processes.js';
import { TEMPORAL_CONFIG_DIR, TEMPORAL_CONFIG_ENV, TEMPORAL_SERVICES, stackDynamicConfig, stackServerEnv, type ServerPorts } from './temporal-config.js';
import { RELEASE_PROFILE } from '../domain/release-plan.js';
import { clusterDir, principalConfigFile, productionFiles, type ProductionFiles } from './production-layout.js';

export const ENVIRONMENTS = ['staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];

/** The namespace releases run in (the release worker's, and the profile of that name). */
export const RELEASE_NAMESPACE = RELEASE_PROFILE;

export const SERVICES = ['postgres', 'jwks', 'temporal-server', 'temporal-ui', 'worker-staging', 'worker-production', 'worker-release'] as const;
export type Service = (typeof SERVICES)[number];

export interface ProductionPorts extends ServerPorts {
  postgres: number;
  jwks: number;
  ui: number;
}

export interface ProductionState {
  binDir: string;
  ports: ProductionPorts;
  pids: Partial<Record<Service, number>>;
  /** The database superuser's password (this file is 0600, like a kubeconfig). */
  dbPassword: string;
  startedAt: string;
}

const DB_USER = 'temporal';
const log = (msg: string) => process.stderr.write(`[stack:production] ${msg}\n`);
const run = promisify(execFile);

export function readProductionState(files = productionFiles()): ProductionState | undefined {
  try {
    return JSON.parse(fs.readFileSync(files.state, 'utf8')) as ProductionState;
  } catch {
    return undefined;
  }
}

function writeProductionState(state: ProductionState, files: ProductionFiles): void {
  fs.writeFileSync(files.state, JSON.stringify(state, null, 2), { mode: 0o600 });
}

export function clusterState(environment: Environment, files = productionFiles()): StackState | undefined {
  return readState(stackFiles(clusterDir(files, environment)));
}

export const temporalAddress = (state: ProductionState) => `127.0.0.1:${state.ports.frontend}`;
export const uiUrl = (state: ProductionState) => `http://127.0.0.1:${state.ports.ui}`;

/** Health of every service and of each environment's control plane. */
export async function productionHealth(state: ProductionState, files = productionFiles()): Promise<Record<string, boolean>> {
  const health: Record<string, boolean> = {};
  for (const service of SERVICES) {
    const pid = state.pids[service];
    health[service] = pid !== undefined && isAlive(pid) && (await serviceHealthy(service, state, files).catch(() => false));
  }
  for (const environment of ENVIRONMENTS) {
    const cluster = clusterState(environment, files);
    const components = cluster ? await componentHealth(cluster) : {};
    for (const c of CLUSTER_COMPONENTS) health[`${environment}/${c}`] = (components as Record<string, boolean>)[c] === true;
  }
  return health;
}

async function serviceHealthy(service: Service, state: ProductionState, files: ProductionFiles): Promise<boolean> {
  const { ports } = state;
  switch (service) {
    case 'postgres':
      return postgresReady(ports.postgres);
    case 'jwks':
      return (await httpGet(`http://127.0.0.1:${ports.jwks}/.well-known/jwks.json`)).includes('"keys"');
    case 'temporal-server':
      // The health API needs no token; the frontend answers it once it serves.
      await run(path.join(state.binDir, 'temporal'), ['operator', 'cluster', 'health', `--address=${temporalAddress(state)}`], { timeout: 10_000 });
      return true;
    case 'temporal-ui':
      return (await httpGet(`${uiUrl(state)}/`)).length > 0;
    case 'worker-staging':
    case 'worker-production':
      return fs.readFileSync(path.join(files.logs, `${service}.log`), 'utf8').includes('"worker started"');
    case 'worker-release':
      return fs.readFileSync(path.join(files.logs, `${service}.log`), 'utf8').includes('"release worker started"');
  }
}

export interface ProductionInfo {
  envFile: string;
  temporalAddress: string;
  uiUrl: string;
  state: ProductionState;
}

export async function upProduction(options: { nodes?: number; workers?: boolean } = {}): Promise<ProductionInfo> {
  const files = productionFiles();
  const existing = readProductionState(files);
  if (existing) {
    const health = await productionHealth(existing, files);
    if (Object.values(health).every(Boolean)) {
      log(`reusing the running production topology (${files.dir})`);
      return infoOf(existing, files);
    }
    log(`production topology is unhealthy (${describe(health)}); restarting it`);
    await downProduction();
  }

  const started = Date.now();
  const binDir = await buildStack(['--topology', 'production']);
  fs.rmSync(files.dir, { recursive: true, force: true });
  fs.mkdirSync(files.logs, { recursive: true });
  const state: ProductionState = {
    binDir,
    ports: await pickPorts(),
    pids: {},
    dbPassword: crypto.randomBytes(18).toString('base64url'),
    startedAt: new Date().toISOString(),
  };
  writeProductionState(state, files);

  try {
    await writeSigningKey(files.keys);
    await startService('jwks', state, files);

    await initPostgres(postgresFiles(files.dir), DB_USER, state.dbPassword);
    await startService('postgres', state, files);
    await setupSchema(state);

    // The server takes a while to join its own ring: bring the clusters up meanwhile.
    await startService('temporal-server', state, files, false);
    for (const environment of ENVIRONMENTS) {
      const dir = stackFiles(clusterDir(files, environment));
      const cluster = await prepareCluster(binDir, dir);
      await startCluster(cluster, dir, options.nodes);
      await prepareWorkerAccess(environment, cluster, files);
    }
    await waitService('temporal-server', state, files);

    const admin = await mintToken(files.keys, 'admin');
    await registerNamespaces(state, admin);
    await writePrincipalConfigs(state, files);
    for (const environment of ENVIRONMENTS) await registerSearchAttributes(environment, files);
    await setupReleases(files);
    await startService('temporal-ui', state, files);
    if (options.workers !== false) {
      const workers = [...ENVIRONMENTS.map((e) => `worker-${e}` as const), 'worker-release' as const];
      for (const worker of workers) await startService(worker, state, files, false);
      for (const worker of workers) await waitService(worker, state, files);
    }
  } catch (err) {
    log(`could not start the production topology: ${(err as Error).message}`);
    printProductionLogs(files);
    throw err;
  }

  writeEnvFile(state, files);
  log(`production topology up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return infoOf(state, files);
}

export async function downProduction(): Promise<void> {
  const files = productionFiles();
  const state = readProductionState(files);
  if (state) {
    for (const service of [...SERVICES].reverse()) await stopService(service, state);
  }
  for (const environment of ENVIRONMENTS) {
    const cluster = clusterState(environment, files);
    if (cluster) await stopDaemons(cluster);
  }
  fs.rmSync(files.dir, { recursive: true, force: true });
  log('production topology down');
}

/** Stops one service (SIGKILL when `hard`): tests use it to simulate outages. */
export async function stopProductionService(service: Service, options: { hard?: boolean } = {}): Promise<void> {
  const files = productionFiles();
  const state = readProductionState(files);
  if (!state || state.pids[service] === undefined) throw new Error(`${service} is not running`);
  if (options.hard) await stopDaemon(state.pids[service], 0);
  else await stopService(service, state);
  delete state.pids[service];
  writeProductionState(state, files);
}

/** Starts a stopped service again on its old ports and waits until it is healthy. */
export async function restartProductionService(service: Service): Promise<void> {
  const files = productionFiles();
  const state = readProductionState(files);
  if (!state) throw new Error('the production topology is not running');
  const pid = state.pids[service];
  if (pid !== undefined && isAlive(pid)) await stopService(service, state);
  await startService(service, state, files);
}

async function stopService(service: Service, state: ProductionState): Promise<void> {
  const pid = state.pids[service];
  if (pid === undefined) return;
  if (service === 'postgres') await stopPostgres(pid);
  else await stopDaemon(pid);
}

function infoOf(state: ProductionState, files: ProductionFiles): ProductionInfo {
  return { envFile: files.env, temporalAddress: temporalAddress(state), uiUrl: uiUrl(state), state };
}

async function startService(service: Service, state: ProductionState, files: ProductionFiles, wait = true): Promise<void> {
  state.pids[service] = launch(service, state, files);
  writeProductionState(state, files);
  if (wait) await waitService(service, state, files);
}

async function waitService(service: Service, state: ProductionState, files: ProductionFiles): Promise<void> {
  const pid = state.pids[service];
  await waitFor(`${service} to become healthy`, async () => {
    if (pid === undefined || !isAlive(pid)) throw new Error(`${service} exited`);
    return serviceHealthy(service, state, files);
  }, 180_000);
}

function launch(service: Service, state: ProductionState, files: ProductionFiles): number {
  const { ports, binDir } = state;
  const tsx = ['--import', 'tsx'];
  switch (service) {
    case 'postgres':
      return startPostgres(postgresFiles(files.dir), ports.postgres, files.logs);
    case 'jwks':
      return startDaemon('jwks', process.execPath, [...tsx, path.join(repoRoot, 'stack', 'jwks-server.ts'), keyFiles(files.keys).jwks, String(ports.jwks)], files.logs);
    case 'temporal-server': {
      const dynamicConfig = path.join(files.dir, 'dynamicconfig.yaml');
      fs.writeFileSync(dynamicConfig, stackDynamicConfig(ports));
      const env = stackServerEnv(ports, { address: `127.0.0.1:${ports.postgres}`, user: DB_USER, password: state.dbPassword }, jwksUri(state), dynamicConfig);
      const args = ['--root', '/', '--config', TEMPORAL_CONFIG_DIR, '--env', TEMPORAL_CONFIG_ENV, 'start', ...TEMPORAL_SERVICES.flatMap((s) => ['--service', s])];
      return startDaemon('temporal-server', path.join(binDir, 'temporal-server'), args, files.logs, { ...process.env, ...env });
    }
    case 'temporal-ui': {
      fs.mkdirSync(files.uiConfig, { recursive: true });
      fs.writeFileSync(path.join(files.uiConfig, 'production.yaml'), uiConfig(state));
      return startDaemon('temporal-ui', path.join(binDir, 'temporal-ui-server'), ['--root', '/', '--config', files.uiConfig, '--env', 'production', 'start'], files.logs);
    }
    case 'worker-staging':
    case 'worker-production': {
      const environment = service.slice('worker-'.length) as Environment;
      return startDaemon(service, process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), 'worker', '--env', environment], files.logs, workerEnv(environment, state, files));
    }
    case 'worker-release':
      return startDaemon(service, process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), 'release-worker'], files.logs, releaseWorkerEnv(state, files));
  }
}

/** What a worker sees: its own Temporal profile and token, its own cluster's ServiceAccount, nothing inherited. */
export function workerEnv(environment: Environment, state: ProductionState, files = productionFiles()): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|KUBECONFIG$|DEPLOYFLOW_)/.test(k)));
  return {
    ...inherited,
    TEMPORAL_CONFIG_FILE: principalConfigFile(files, `worker-${environment}`),
    TEMPORAL_PROFILE: environment,
    KUBECONFIG: workerKubeconfig(files, environment),
    DEPLOYFLOW_TEMPORAL_UI: uiUrl(state),
  };
}

/** The release worker: the release namespace's token, no kubeconfig at all. */
export function releaseWorkerEnv(state: ProductionState, files = productionFiles()): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(TEMPORAL_|KUBECONFIG$|DEPLOYFLOW_)/.test(k)));
  return {
    ...inherited,
    TEMPORAL_CONFIG_FILE: principalConfigFile(files, 'worker-release'),
    TEMPORAL_PROFILE: RELEASE_PROFILE,
    // Pointing at nothing on purpose: whatever might read a kubeconfig finds none.
    KUBECONFIG: path.join(files.dir, 'no-kubeconfig'),
    DEPLOYFLOW_TEMPORAL_UI: uiUrl(state),
  };
}

export const workerKubeconfig = (files: ProductionFiles, environment: Environment) => path.join(clusterDir(files, environment), 'worker-kubeconfig');
const jwksUri = (state: ProductionState) => `http://127.0.0.1:${state.ports.jwks}/.well-known/jwks.json`;

// The UI needs no credentials of its own: it forwards each request's
// Authorization header to Temporal, so it shows only what the caller's token
// allows (a request without a token sees nothing).
function uiConfig(state: ProductionState): string {
  return `temporalGrpcAddress: ${temporalAddress(state)}
host: 127.0.0.1
port: ${state.ports.ui}
enableUi: true
defaultNamespace: staging
showTemporalSystemNamespace: false
notifyOnNewVersion: false
refreshInterval: 1m
cors:
  cookieInsecure: true
  allowOrigins: [${uiUrl(state)}]
auth:
  enabled: false
forwardHeaders: [Authorization]
# As in docker-compose.yml: changes go through deployctl, whose refusals name what was refused.
disableWriteActions: true
`;
}

/** Temporal's two databases at the schema versions this server release ships (what compose/temporal-schema.sh does). */
async function setupSchema(state: ProductionState): Promise<void> {
  const schemas = path.join(await serverModuleDir(state), 'schema', 'postgresql', 'v12');
  const tool = path.join(state.binDir, 'temporal-sql-tool');
  const base = ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(state.ports.postgres), '-u', DB_USER];
  const env = { ...process.env, SQL_PASSWORD: state.dbPassword };
  for (const [db, dir] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    await run(tool, [...base, '--db', db, 'create'], { env });
    await run(tool, [...base, '--db', db, 'setup-schema', '-v', '0.0'], { env });
    await run(tool, [...base, '--db', db, 'update-schema', '-d', path.join(schemas, dir, 'versioned')], { env });
  }
  log('schema of temporal and temporal_visibility up to date');
}

/** The server module's folder in the module cache: its schema files come with the release that was built. */
async function serverModuleDir(state: ProductionState): Promise<string> {
  const cache = path.resolve(state.binDir, '..', '..');
  const { stdout } = await run('go', ['list', '-m', '-f', '{{.Dir}}', 'go.temporal.io/server'], {
    cwd: path.join(repoRoot, 'stack', 'go', 'temporal'),
    env: { ...process.env, GOMODCACHE: path.join(cache, 'gomod'), GOFLAGS: '-mod=readonly', GOTOOLCHAIN: 'local' },
  });
  return stdout.trim();
}

async function registerNamespaces(state: ProductionState, adminToken: string): Promise<void> {
  const connection = await Connection.connect({ address: temporalAddress(state), apiKey: adminToken, tls: false });
  try {
    for (const namespace of [...ENVIRONMENTS, RELEASE_NAMESPACE]) {
      await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs('3 days') });
    }
    // The frontend learns about new namespaces on its next registry refresh.
    for (const namespace of [...ENVIRONMENTS, RELEASE_NAMESPACE]) {
      await waitFor(`namespace ${namespace} to be served`, async () => {
        await connection.workflowService.countWorkflowExecutions({ namespace });
        return true;
      }, 60_000);
    }
  } finally {
    await connection.close();
  }
  log(`namespaces ${[...ENVIRONMENTS, RELEASE_NAMESPACE].join(', ')} registered`);
}

/** `deployctl setup` per environment, with the admin's profiles: the same command a team runs. */
async function registerSearchAttributes(environment: Environment, files: ProductionFiles): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_CONFIG_FILE: principalConfigFile(files, 'admin'), TEMPORAL_PROFILE: environment };
  for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY']) delete env[k];
  await run(process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), 'setup'], { env });
}

/**
 * The release namespace's search attributes and each environment's Nexus
 * endpoint (deploy-<env> → that environment's namespace and task queue), with
 * the admin's profiles: `deployctl setup --release --nexus-endpoints …`.
 */
async function setupReleases(files: ProductionFiles): Promise<void> {
  const env: NodeJS.ProcessEnv = { ...process.env, TEMPORAL_CONFIG_FILE: principalConfigFile(files, 'admin') };
  for (const k of ['TEMPORAL_ADDRESS', 'TEMPORAL_NAMESPACE', 'TEMPORAL_API_KEY', 'TEMPORAL_PROFILE']) delete env[k];
  await run(process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), 'setup', '--release', '--nexus-endpoints', ENVIRONMENTS.join(',')], { env });
  log(`release namespace set up; Nexus endpoints ${ENVIRONMENTS.map((e) => `deploy-${e}`).join(', ')}`);
}

/**
 * One TOML file of Temporal client profiles per principal (Temporal's envconfig
 * format): a profile per environment, naming its namespace and address, with
 * that principal's token. What a CI job or an operator would be handed.
 */
async function writePrincipalConfigs(state: ProductionState, files: ProductionFiles): Promise<void> {
  fs.mkdirSync(files.principals, { recursive: true, mode: 0o700 });
  for (const principal of Object.keys(PRINCIPALS) as Principal[]) {
    const token = await mintToken(files.keys, principal);
    fs.writeFileSync(principalConfigFile(files, principal), profilesToml(state, principal, token), { mode: 0o600 });
  }
}

export function profilesToml(state: ProductionState, principal: string, token: string): string {
  const profiles = [...ENVIRONMENTS, RELEASE_NAMESPACE].map(
    (environment) => `[profile.${environment}]
address = "${temporalAddress(state)}"
namespace = "${environment}"
api_key = "${token}"

[profile.${environment}.tls]
# Loopback only: the local stack's frontend serves plain gRPC.
disabled = true
`,
  );
  return `# Temporal client profiles of principal "${principal}" (one per environment, and "${RELEASE_NAMESPACE}" for releases).\n\n${profiles.join('\n')}`;
}

/**
 * In each cluster: the `environment` secret that names it, the example RBAC and
 * admission policy, `default` labelled as an app namespace, and a kubeconfig
 * that authenticates as the worker's ServiceAccount.
 */
async function prepareWorkerAccess(environment: Environment, cluster: StackState, files: ProductionFiles): Promise<void> {
  const dir = stackFiles(clusterDir(files, environment));
  const k = (args: string[], input?: string) => kubectl(cluster.binDir, dir.kubeconfig, args, input);
  await k(['create', 'secret', 'generic', 'environment', '-n', 'default', `--from-literal=environment=${environment}`]);
  // examples/rbac: the worker's ServiceAccount, Role, RoleBinding and admission policy, which lets it
  // write only in namespaces labelled as app namespaces (labels as examples/rbac/admission-policy.yaml says).
  await k(['apply', '-n', 'default', '-f', path.join(repoRoot, 'examples', 'rbac')]);
  await k(['label', '--overwrite', 'namespace', 'default', 'deployflow.io/apps=true', 'pod-security.kubernetes.io/enforce=baseline',
    'pod-security.kubernetes.io/enforce-version=latest', 'pod-security.kubernetes.io/warn=restricted', 'pod-security.kubernetes.io/audit=restricted']);
  const token = (await k(['create', 'token', 'deployflow-worker', '-n', 'default', '--duration=24h'])).trim();
  const kubeconfig = `apiVersion: v1
kind: Config
clusters:
  - name: ${environment}
    cluster:
      server: https://127.0.0.1:${cluster.ports.apiserver}
      insecure-skip-tls-verify: true
users:
  - name: deployflow-worker
    user:
      token: ${token}
contexts:
  - name: ${environment}
    context: { cluster: ${environment}, user: deployflow-worker, namespace: default }
current-context: ${environment}
`;
  fs.writeFileSync(workerKubeconfig(files, environment), kubeconfig, { mode: 0o600 });
}

async function pickPorts(): Promise<ProductionPorts> {
  const names: (keyof ProductionPorts)[] = [
    'postgres', 'jwks', 'ui', 'frontend', 'frontendHttp', 'internalFrontend', 'internalFrontendHttp', 'history', 'matching', 'worker', 'metrics',
  ];
  // Temporal stores membership ports in a PostgreSQL smallint: they must stay below 32768,
  // where the kernel's ephemeral range (what port 0 hands out) does not reach.
  const membership: (keyof ProductionPorts)[] = ['frontendMembership', 'internalFrontendMembership', 'historyMembership', 'matchingMembership', 'workerMembership'];
  const ports = new Set<number>();
  while (ports.size < names.length) ports.add(await freePort());
  const low = new Set<number>();
  while (low.size < membership.length) {
    const candidate = 20_000 + Math.floor(Math.random() * 12_000);
    if (!ports.has(candidate) && (await isFree(candidate))) low.add(candidate);
  }
  const list = [...ports];
  const lowList = [...low];
  return Object.fromEntries([...names.map((n, i) => [n, list[i]]), ...membership.map((n, i) => [n, lowList[i]])]) as unknown as ProductionPorts;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** The env file: each environment's kubeconfig (admin, for kubectl) and Temporal profile, and the operator's profiles. */
function writeEnvFile(state: ProductionState, files: ProductionFiles): void {
  const lines = [
    '# The production topology of the local stack: set -a; . THIS_FILE; set +a',
    `DEPLOYFLOW_ENVIRONMENTS=${ENVIRONMENTS.join(',')}`,
    `# Temporal client profiles (one per environment) of the operator; other principals: ${files.principals}/<principal>.toml`,
    `TEMPORAL_CONFIG_FILE=${principalConfigFile(files, 'operator')}`,
    `DEPLOYFLOW_TEMPORAL_PRINCIPALS=${files.principals}`,
    `DEPLOYFLOW_TEMPORAL_UI=${uiUrl(state)}`,
    `DEPLOYFLOW_STACK_BIN=${state.binDir}`,
    ...ENVIRONMENTS.flatMap((environment) => {
      const upper = environment.toUpperCase();
      return [
        `DEPLOYFLOW_${upper}_KUBECONFIG=${stackFiles(clusterDir(files, environment)).kubeconfig}`,
        `DEPLOYFLOW_${upper}_WORKER_KUBECONFIG=${workerKubeconfig(files, environment)}`,
        `DEPLOYFLOW_${upper}_TEMPORAL_PROFILE=${environment}`,
      ];
    }),
  ];
  fs.writeFileSync(files.env, lines.join('\n') + '\n');
}

export function describe(health: Record<string, boolean>): string {
  const down = Object.entries(health).filter(([, ok]) => !ok).map(([c]) => c);
  return down.length === 0 ? `all ${Object.keys(health).length} components up` : `DOWN: ${down.join(', ')}`;
}

export function printProductionLogs(files = productionFiles(), lines = 40): void {
  const dirs = [files.logs, ...ENVIRONMENTS.map((e) => stackFiles(clusterDir(files, e)).logs)];
  for (const dir of dirs.filter((d) => fs.existsSync(d))) {
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.log') && f !== 'audit.log')) {
      const text = fs.readFileSync(path.join(dir, file), 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      process.stderr.write(`\n----- ${path.relative(files.dir, path.join(dir, file))} (last ${lines} lines) -----\n${text}\n`);
    }
  }
}
