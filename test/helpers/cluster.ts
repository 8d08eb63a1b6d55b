// Direct cluster access for tests: namespaces of their own, reading RCs and pods.
import { CoreV1Api, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

export function core(kc: KubeConfig): CoreV1Api {
  return kc.makeApiClient(CoreV1Api);
}

let counter = 0;

/** A namespace no other test uses, so environment secrets and apps never collide. */
export async function freshNamespace(kc: KubeConfig, prefix = 't'): Promise<string> {
  const name = `${prefix}-${process.pid}-${Date.now().toString(36)}-${counter++}`;
  await core(kc).createNamespace({ body: { metadata: { name } } });
  return name;
}

export async function listRcs(kc: KubeConfig, namespace: string, app: string) {
  const list = await core(kc).listNamespacedReplicationController({ namespace, labelSelector: `name=${app}` });
  return list.items.sort((a, b) => Number(a.metadata?.annotations?.['deployflow.io/revision']) - Number(b.metadata?.annotations?.['deployflow.io/revision']));
}

export async function listPods(kc: KubeConfig, namespace: string, labelSelector: string): Promise<V1Pod[]> {
  return (await core(kc).listNamespacedPod({ namespace, labelSelector })).items;
}

export function isReady(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** Cordons (or uncordons) every node: new pods stay Pending, Unschedulable. */
export async function setCordoned(kc: KubeConfig, unschedulable: boolean): Promise<void> {
  const api = core(kc);
  for (const node of (await api.listNode()).items) {
    await api.patchNode({ name: node.metadata!.name!, body: [{ op: 'replace', path: '/spec/unschedulable', value: unschedulable }] });
  }
}
