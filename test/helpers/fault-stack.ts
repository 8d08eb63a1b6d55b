// The fault tests' own stack instance. They kill and restart stack components
// (Temporal, the apiserver), so they must never share the default `.stack` that
// every other test uses: this module points DEPLOYFLOW_STACK_DIR at a folder of
// its own before anything calls up(), and is the only way fault tests reach a
// stack. test/run.ts gives each run of the fault tiers a fresh folder
// (DEPLOYFLOW_FAULT_STACK_DIR, `.stack-faults/run-<pid>`) and stops it at the
// end, so two people's runs never stop each other's components; a fault test
// file run on its own uses (and keeps) `.stack-faults/default`.
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { repoRoot } from '../../stack/layout.js';
import { up, restartComponent, stopComponent, type StackInfo } from '../../stack/lifecycle.js';
import type { Component } from '../../stack/components.js';

export const FAULT_STACK_DIR = process.env.DEPLOYFLOW_FAULT_STACK_DIR ?? path.join(repoRoot, '.stack-faults', 'default');

/** Where fault tests leave their tables (outside the stack folder, which `down` removes). */
export const FAULT_REPORT_DIR = path.join(repoRoot, 'test-results', 'faults');

// Importing this moves the whole process onto the fault stack, which a full run shares with the
// fault tests killing its components in the other lane: only their tiers may (the operators test
// once ran there through a helper, and cordoned the fault tests' nodes).
const testFile = process.argv.find((arg) => arg.endsWith('.test.ts'));
if (testFile && !/[/\\](faults|reliability)[/\\][^/\\]+$/.test(testFile)) {
  throw new Error(`${path.relative(repoRoot, testFile)} imports the fault stack (test/helpers/fault-stack.ts): only the fault tiers may`);
}

// layout.ts reads the variable at call time: setting it here, on import, is early enough.
process.env.DEPLOYFLOW_STACK_DIR = FAULT_STACK_DIR;

let pending: Promise<StackInfo> | undefined;

/** Reuses the running fault stack or brings it up; a stack that cannot come up fails the test. */
export function useFaultStack(): Promise<StackInfo> {
  pending ??= up().then((info) => {
    if (path.dirname(info.kubeconfig) !== FAULT_STACK_DIR) throw new Error(`fault tests got the wrong stack (${info.kubeconfig})`);
    process.env.KUBECONFIG = info.kubeconfig;
    process.env.TEMPORAL_ADDRESS = info.temporalAddress;
    process.env.TEMPORAL_NAMESPACE = 'default';
    return info;
  });
  return pending;
}

export function faultKubeConfig(info: StackInfo): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  return kc;
}

/** Stops a component of the fault stack (never of the default one). */
export async function stopFaultComponent(component: Component, options: { hard?: boolean } = {}): Promise<void> {
  assertFaultStack();
  await stopComponent(component, options);
}

/** Starts a stopped component of the fault stack again, on its old ports, and waits until it is healthy. */
export async function restartFaultComponent(component: Component): Promise<void> {
  assertFaultStack();
  await restartComponent(component);
}

function assertFaultStack(): void {
  if (process.env.DEPLOYFLOW_STACK_DIR !== FAULT_STACK_DIR) {
    throw new Error(`refusing to stop components: DEPLOYFLOW_STACK_DIR is ${process.env.DEPLOYFLOW_STACK_DIR}, not ${FAULT_STACK_DIR}`);
  }
}

/**
 * An outage of one component of the fault stack: stop it (SIGTERM, or SIGKILL when
 * `hard`), wait `pauseMs`, start it again. Resolves with how long it was away, from
 * the stop to healthy again (restarting takes seconds of its own).
 */
export async function componentOutage(component: Component, pauseMs: number, options: { hard?: boolean } = {}): Promise<number> {
  const started = Date.now();
  await stopFaultComponent(component, options);
  await new Promise((resolve) => setTimeout(resolve, pauseMs));
  await restartFaultComponent(component);
  const seconds = Math.round((Date.now() - started) / 1000);
  if (component === 'kube-apiserver') await waitClusterWorks();
  return seconds;
}

/**
 * After the apiserver comes back, the controller manager, scheduler and KWOK find it
 * again only when their informers' backoff (up to a minute) ends. Until an RC gets a
 * ready pod again, the next test would measure the stack's recovery, not deployflow.
 */
export async function waitClusterWorks(timeoutMs = 180_000): Promise<void> {
  const info = await useFaultStack();
  const core = faultKubeConfig(info).makeApiClient(CoreV1Api);
  const namespace = 'fault-probe';
  const name = `probe-${Date.now().toString(36)}`;
  const deadline = Date.now() + timeoutMs;
  const attempt = async <T>(fn: () => Promise<T>): Promise<T> => {
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  };
  await attempt(() => core.createNamespace({ body: { metadata: { name: namespace } } }).catch((err: { code?: number }) => {
    if (err.code !== 409) throw err;
  }));
  await attempt(() =>
    core.createNamespacedReplicationController({
      namespace,
      body: {
        metadata: { name },
        spec: { replicas: 1, selector: { probe: name }, template: { metadata: { labels: { probe: name } }, spec: { containers: [{ name: 'probe', image: 'probe:1' }] } } },
      },
    }),
  );
  try {
    await attempt(async () => {
      const rc = await core.readNamespacedReplicationController({ namespace, name });
      if ((rc.status?.readyReplicas ?? 0) < 1) throw new Error(`the stack did not run a pod within ${timeoutMs / 1000}s of the apiserver's return`);
    });
  } finally {
    await core.deleteNamespacedReplicationController({ namespace, name, propagationPolicy: 'Background' }).catch(() => undefined);
  }
}
