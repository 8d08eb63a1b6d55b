// Watches an app's pods while a rollout runs and records the extremes that
// invariants I1 (availability) and I2 (surge) are about.
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { isReady, listPods } from './cluster.js';

export interface Extremes {
  /** Fewest ready pods seen (once the old version was fully ready). */
  minReady: number;
  /** Most pods not terminating seen at once. */
  maxPods: number;
  events: number;
}

export class InvariantWatcher {
  private readonly pods = new Map<string, V1Pod>();
  private abort?: AbortController;
  readonly extremes: Extremes = { minReady: Number.POSITIVE_INFINITY, maxPods: 0, events: 0 };

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly app: string,
  ) {}

  async start(): Promise<this> {
    const selector = `name=${this.app}`;
    for (const pod of await listPods(this.kc, this.namespace, selector)) this.pods.set(pod.metadata!.uid!, pod);
    this.observe();
    this.abort = await new Watch(this.kc).watch(
      `/api/v1/namespaces/${this.namespace}/pods`,
      { labelSelector: selector },
      (type: string, pod: V1Pod) => {
        if (type === 'DELETED') this.pods.delete(pod.metadata!.uid!);
        else if (type === 'ADDED' || type === 'MODIFIED') this.pods.set(pod.metadata!.uid!, pod);
        this.observe();
      },
      () => {},
    );
    return this;
  }

  stop(): Extremes {
    this.abort?.abort();
    return this.extremes;
  }

  private observe(): void {
    const live = [...this.pods.values()].filter((p) => !p.metadata?.deletionTimestamp);
    this.extremes.events += 1;
    this.extremes.maxPods = Math.max(this.extremes.maxPods, live.length);
    this.extremes.minReady = Math.min(this.extremes.minReady, live.filter(isReady).length);
  }
}
