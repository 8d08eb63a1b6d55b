// Counting the nodes a per-node agent must cover (DESIGN.md §6).
import type { V1Node } from '@kubernetes/client-node';
import type { Kube } from './kube.js';
import { kubeCall } from './errors.js';

/** Ready, not cordoned, and not tainted against new pods: a node an agent pod can land on. */
export function isSchedulable(node: V1Node): boolean {
  const ready = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const tainted = node.spec?.taints?.some((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute') ?? false;
  return ready && !node.spec?.unschedulable && !tainted;
}

export async function countSchedulableNodes(kube: Kube): Promise<number> {
  const nodes = await kubeCall('list nodes', () => kube.core.listNode());
  return nodes.items.filter(isSchedulable).length;
}
