// Fake nodes: plain Node objects that KWOK adopts (by annotation) and keeps Ready.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';

const run = promisify(execFile);

export function nodeManifest(name: string, maxPods = 110): object {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
      labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64', type: 'kwok' },
    },
    status: {
      allocatable: { cpu: '32', memory: '128Gi', pods: String(maxPods) },
      capacity: { cpu: '32', memory: '128Gi', pods: String(maxPods) },
    },
  };
}

export async function kubectl(binDir: string, kubeconfig: string, args: string[], input?: string): Promise<string> {
  const child = run(path.join(binDir, 'kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], { maxBuffer: 64 << 20 });
  if (input !== undefined) child.child.stdin?.end(input);
  return (await child).stdout;
}

/** Creates (or keeps) fake nodes `kwok-node-<i>` for i in [from, from+count) and waits until they are Ready. */
export async function addNodes(binDir: string, kubeconfig: string, count: number, from = 0, maxPods = 110): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `kwok-node-${from + i}`);
  const list = { apiVersion: 'v1', kind: 'List', items: names.map((n) => nodeManifest(n, maxPods)) };
  await kubectl(binDir, kubeconfig, ['apply', '-f', '-'], JSON.stringify(list));
  await kubectl(binDir, kubeconfig, ['wait', '--for=condition=Ready', '--timeout=60s', ...names.map((n) => `node/${n}`)]);
  return names;
}
