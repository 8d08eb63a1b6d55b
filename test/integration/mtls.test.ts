// Temporal connection security on the real stack: the worker (`deployctl
// worker`, a process of its own) and `deployctl deploy` reach Temporal only
// through nginx terminating mTLS in front of the dev server, configured purely
// through Temporal's conventions (@temporalio/envconfig: TEMPORAL_* variables
// or TOML profiles, for both); a client without an accepted certificate is refused.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { workflowIdFor } from '../../domain/names.js';
import { repoRoot } from '../../stack/layout.js';
import type { StackInfo } from '../../stack/lifecycle.js';
import type { DeployResult } from '../../workflows/messages.js';
import { useStack, stackKubeConfig } from '../helpers/stack.js';
import { freshNamespace } from '../helpers/cluster.js';
import { runCli } from '../helpers/cli.js';
import { temporalClient } from '../helpers/temporal.js';
import { startTlsProxy, type TlsProxy } from '../helpers/tls-proxy.js';

const IMAGE = 'registry.example/awesome-api:1.0.0';

/** The test process's environment without any Temporal setting, so only what a test passes counts. */
function withoutTemporalVars(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('TEMPORAL_')));
}

/** `deployctl worker` as its own process; resolves once it logged that it polls. */
async function spawnWorker(env: NodeJS.ProcessEnv, args: string[]): Promise<{ child: ChildProcess; output: () => string }> {
  const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), 'worker', ...args], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 45_000;
  while (!output.includes('"worker started"')) {
    if (child.exitCode !== null) throw new Error(`the worker exited with code ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not start within 45s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, output: () => output };
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.on('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** The gRPC methods a client certificate called since `from` (an index into the access log). */
function methodsOf(proxy: TlsProxy, subject: string, from = 0): string[] {
  return proxy
    .accessLog()
    .slice(from)
    .filter((line) => line.startsWith(`"CN=${subject}" 200 `))
    .map((line) => line.slice(line.lastIndexOf('/') + 1));
}

describe('Temporal over mTLS through a TLS-terminating gRPC proxy (nginx)', () => {
  let info: StackInfo;
  let proxy: TlsProxy;
  let direct: Client;
  let namespace: string;
  let environment: string;
  let dir: string;
  let specFile: string;
  let worker: ChildProcess | undefined;
  /** What TLS settings deployctl gets in CI: Temporal's environment variables. */
  let tlsEnv: Record<string, string>;
  /** The same settings as profiles of a temporal.toml. */
  let toml: string;

  before(async () => {
    info = await useStack();
    proxy = await startTlsProxy(info.temporalAddress);
    direct = await temporalClient(info);
    namespace = await freshNamespace(stackKubeConfig(info), 'mtls');
    environment = `env-${namespace}`.slice(0, 63);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deployflow-mtls-test-'));
    specFile = path.join(dir, 'awesome-api.yaml');
    const example = fs.readFileSync(path.join(repoRoot, 'examples', 'awesome-api.yaml'), 'utf8');
    fs.writeFileSync(specFile, example.replace('namespace: default', `namespace: ${namespace}`).replace(/minReadySeconds: \d+/, 'minReadySeconds: 0'));
    tlsEnv = {
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: proxy.pki.caCert,
      // The certificate names localhost (and 127.0.0.1); SNI wants a host name.
      TEMPORAL_TLS_SERVER_NAME: 'localhost',
    };
    toml = path.join(dir, 'temporal.toml');
    fs.writeFileSync(
      toml,
      `# Profiles as Temporal's CLI and SDKs read them.
[profile.default]
address = "127.0.0.1:1"

[profile.mtls]
address = "${proxy.address}"
namespace = "default"

[profile.mtls.tls]
client_cert_path = "${proxy.pki.cliCert}"
client_key_path = "${proxy.pki.cliKey}"
server_ca_cert_path = "${proxy.pki.caCert}"
server_name = "localhost"

[profile.no-certificate]
address = "${proxy.address}"

[profile.no-certificate.tls]
server_ca_cert_path = "${proxy.pki.caCert}"
server_name = "localhost"
`,
    );
  });
  after(async () => {
    await stopProcess(worker);
    await direct?.connection.close();
    await proxy?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('the worker and deployctl deploy complete a deploy through the proxy, each with its own certificate', async () => {
    const started = await spawnWorker(
      {
        ...withoutTemporalVars(),
        ...tlsEnv,
        TEMPORAL_TLS_CLIENT_CERT_PATH: proxy.pki.workerCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: proxy.pki.workerKey,
        KUBECONFIG: info.kubeconfig,
      },
      ['--env', environment, '--namespace', namespace],
    );
    worker = started.child;

    const run = await runCli(['deploy', '-f', specFile, '--env', environment, '--image', IMAGE, '--output', 'json'], {
      ...tlsEnv,
      TEMPORAL_TLS_CLIENT_CERT_PATH: proxy.pki.cliCert,
      TEMPORAL_TLS_CLIENT_KEY_PATH: proxy.pki.cliKey,
    });
    assert.equal(run.code, 0, run.stderr + run.stdout + started.output());
    assert.equal(run.json<DeployResult>().outcome, 'Succeeded');

    // Both went through nginx, each presenting its certificate.
    const cli = methodsOf(proxy, 'deployctl');
    const workerCalls = methodsOf(proxy, 'deployflow-worker');
    assert.ok(cli.includes('StartWorkflowExecution'), cli.join(', '));
    // No PollActivityTaskQueue is required: with eager dispatch the server hands the deploy's activities back in its workflow task answers.
    for (const method of ['PollWorkflowTaskQueue', 'RespondWorkflowTaskCompleted', 'RespondActivityTaskCompleted']) {
      assert.ok(workerCalls.includes(method), `the worker's ${method} did not go through the proxy: ${workerCalls.join(', ')}`);
    }
  });

  test('a client without an accepted certificate is refused: deployctl exits 4, nothing starts', async () => {
    const refusedApp = fs.readFileSync(specFile, 'utf8').replace('name: awesome-api', 'name: refused-api');
    const refusedSpec = path.join(dir, 'refused-api.yaml');
    fs.writeFileSync(refusedSpec, refusedApp.replace('image: registry.example/awesome-api', 'image: registry.example/refused-api'));
    const clients: Array<[string, Record<string, string>]> = [
      ['no client certificate', tlsEnv],
      ['a certificate of another CA', { ...tlsEnv, TEMPORAL_TLS_CLIENT_CERT_PATH: proxy.pki.rogueCert, TEMPORAL_TLS_CLIENT_KEY_PATH: proxy.pki.rogueKey }],
      ['no TLS at all', { TEMPORAL_ADDRESS: proxy.address, TEMPORAL_NAMESPACE: 'default' }],
    ];
    for (const [what, env] of clients) {
      const run = await runCli(['deploy', '-f', refusedSpec, '--env', environment, '--image', 'registry.example/refused-api:1.0.0'], {
        ...env,
        DEPLOYFLOW_CONNECT_TIMEOUT: '5',
      });
      assert.equal(run.code, 4, `${what}: ${run.stderr}${run.stdout}`);
      assert.match(run.stderr, new RegExp(`cannot reach Temporal at ${proxy.address.replaceAll('.', '\\.')}`), what);
    }
    await assert.rejects(direct.workflow.getHandle(workflowIdFor(environment, namespace, 'refused-api')).describe(), WorkflowNotFoundError);
    // nginx refused them with 400 (no certificate) before anything reached Temporal.
    assert.ok(proxy.accessLog().some((line) => line.startsWith('"-" 400 ')));
  });

  test('a worker whose TOML profile has no client certificate is refused by the proxy and does not start (exit 4)', async () => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), 'worker', '--env', environment, '--namespace', namespace], {
      cwd: repoRoot,
      env: { ...withoutTemporalVars(), TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'no-certificate', KUBECONFIG: info.kubeconfig },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 4, output);
    // nginx's answer: the profile's address and TLS settings were the ones used.
    assert.match(output, /deployctl worker: .*400 Bad Request/);
  });

  test('deployctl honours a TOML profile (TEMPORAL_CONFIG_FILE + TEMPORAL_PROFILE), below the environment variables', async () => {
    assert.ok(worker, 'needs the worker of the first test');
    const deploy = ['deploy', '-f', specFile, '--env', environment, '--image', IMAGE, '--output', 'json'];

    // The mtls profile: through the proxy with the CLI's certificate; same image again, so nothing to do.
    const mark = proxy.accessLog().length;
    const run = await runCli(deploy, { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'mtls' });
    assert.equal(run.code, 0, run.stderr + run.stdout);
    assert.equal(run.json<DeployResult>().outcome, 'Unchanged');
    assert.ok(methodsOf(proxy, 'deployctl', mark).includes('StartWorkflowExecution'));

    // No TEMPORAL_PROFILE: the file's default profile (a dead address) is the one used.
    const fallback = await runCli(deploy, { TEMPORAL_CONFIG_FILE: toml, DEPLOYFLOW_CONNECT_TIMEOUT: '3' });
    assert.equal(fallback.code, 4, fallback.stderr);
    assert.match(fallback.stderr, /cannot reach Temporal at 127\.0\.0\.1:1\b/);

    // Environment variables override the profile, field by field.
    const overridden = await runCli(deploy, { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'mtls', TEMPORAL_ADDRESS: '127.0.0.1:1', DEPLOYFLOW_CONNECT_TIMEOUT: '3' });
    assert.equal(overridden.code, 4, overridden.stderr);
    assert.match(overridden.stderr, /cannot reach Temporal at 127\.0\.0\.1:1\b/);

    // A profile that does not exist is a configuration error, not a silent default.
    const missing = await runCli(deploy, { TEMPORAL_CONFIG_FILE: toml, TEMPORAL_PROFILE: 'staging' });
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /Profile 'staging' not found/);
  });
});
