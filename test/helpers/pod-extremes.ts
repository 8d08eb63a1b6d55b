// Invariants I1 and I2 watched from outside while faults happen: like
// InvariantWatcher, but it survives an apiserver outage (the watch drops, so it
// re-lists and watches again until stopped) and remembers what the cluster
// looked like at the worst moments, so a failed assertion says what happened.
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { core, isReady } from './cluster.js';

export interface PodExtremes {
  /** Fewest ready pods seen at once. */
  minReady: number;
  /** Most pods not terminating seen at once. */
  maxPods: number;
  /** The pods (`hash:ready|notready`) at those two moments. */
  atMinReady: string;
  atMaxPods: string;
  events: number;
  /** How often the watch dropped and was started again (outages). */
  rewatches: number;
}

export class PodExtremesWatcher {
  private readonly pods = new Map<string, V1Pod>();
  private abort?: AbortController;
  private stopped = false;
  private generation = 0;
  readonly extremes: PodExtremes = { minReady: Number.POSITIVE_INFINITY, maxPods: 0, atMinReady: '', atMaxPods: '', events: 0, rewatches: 0 };

  constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    private readonly selector: string,
  ) {}

  /** The first list must succeed: a watcher that never saw the cluster proves nothing. */
  async start(): Promise<this> {
    await this.listAndWatch();
    return this;
  }

  stop(): PodExtremes {
    this.stopped = true;
    this.abort?.abort();
    return { ...this.extremes };
  }

  private async listAndWatch(): Promise<void> {
    const generation = ++this.generation;
    const list = await core(this.kc).listNamespacedPod({ namespace: this.namespace, labelSelector: this.selector });
    if (this.stopped || generation !== this.generation) return;
    this.pods.clear();
    for (const pod of list.items) this.pods.set(pod.metadata!.uid!, pod);
    this.observe();
    // Watch from the list's version: no change between the two is missed.
    const resourceVersion = list.metadata?.resourceVersion;
    this.abort = await new Watch(this.kc).watch(
      `/api/v1/namespaces/${this.namespace}/pods`,
      { labelSelector: this.selector, resourceVersion },
      (type: string, pod: V1Pod) => {
        if (generation !== this.generation) return;
        if (type === 'DELETED') this.pods.delete(pod.metadata!.uid!);
        else if (type === 'ADDED' || type === 'MODIFIED') this.pods.set(pod.metadata!.uid!, pod);
        this.observe();
      },
      () => {
        if (this.stopped || generation !== this.generation) return;
        this.extremes.rewatches += 1;
        void this.rewatch(generation);
      },
    );
  }

  /** Re-list and watch again, once a second, until it works, the watcher is stopped, or 10 minutes pass. */
  private async rewatch(generation: number): Promise<void> {
    const deadline = Date.now() + 600_000;
    while (!this.stopped && generation === this.generation && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1000));
      if (this.stopped) return;
      try {
        await this.listAndWatch();
        return;
      } catch {
        // apiserver still away: try again
      }
    }
  }

  private observe(): void {
    const live = [...this.pods.values()].filter((p) => !p.metadata?.deletionTimestamp);
    const ready = live.filter(isReady).length;
    this.extremes.events += 1;
    if (live.length > this.extremes.maxPods) {
      this.extremes.maxPods = live.length;
      this.extremes.atMaxPods = describe(live);
    }
    if (ready < this.extremes.minReady) {
      this.extremes.minReady = ready;
      this.extremes.atMinReady = describe(live);
    }
  }
}

function describe(pods: V1Pod[]): string {
  return pods
    .map((p) => `${p.metadata?.labels?.deployment ?? '?'}:${isReady(p) ? 'ready' : 'notready'}`)
    .sort()
    .join(' ');
}
