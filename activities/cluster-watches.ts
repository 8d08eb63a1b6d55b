// The watches a worker's waits share: one per namespace, kind and app. A
// rollout's waits follow each other a few milliseconds apart (a scale call and
// a workflow task in between), so a watch stays open a little while after its
// last wait ends and the next step finds it ready: one list and one watch per
// rollout instead of one per step, like a controller's informer.
import type { KubernetesObject, V1Pod, V1ReplicationController } from '@kubernetes/client-node';
import type { Kube } from './kube.js';
import { SharedWatch } from './shared-watch.js';

/** Long enough to bridge the gap between two steps on a busy worker; short enough not to hold idle watches. */
export const WATCH_LINGER_MS = 10_000;

export interface Lease<T extends KubernetesObject> {
  watch: SharedWatch<T>;
  release(): void;
}

interface Entry {
  watch: SharedWatch<KubernetesObject>;
  users: number;
  linger?: NodeJS.Timeout;
}

const keyOf = (namespace: string, resource: string, labelSelector: string) => `${namespace}/${resource}?${labelSelector}`;

export class ClusterWatches {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly kube: Kube,
    private readonly lingerMs = WATCH_LINGER_MS,
  ) {}

  pods(namespace: string, labelSelector: string): Lease<V1Pod> {
    return this.acquire<V1Pod>(`pods ${labelSelector}`, namespace, 'pods', labelSelector);
  }

  replicationControllers(namespace: string, labelSelector: string): Lease<V1ReplicationController> {
    return this.acquire<V1ReplicationController>(`RCs ${labelSelector}`, namespace, 'replicationcontrollers', labelSelector);
  }

  /** The RC as an open watch of its app's RCs shows it now (a step's waits keep one open); undefined without one. */
  cachedReplicationController(namespace: string, labelSelector: string, name: string): V1ReplicationController | undefined {
    const watch = this.entries.get(keyOf(namespace, 'replicationcontrollers', labelSelector))?.watch as SharedWatch<V1ReplicationController> | undefined;
    if (!watch?.current) return undefined;
    return [...watch.items.values()].find((rc) => rc.metadata?.name === name);
  }

  /** How many watches are open (waited on or lingering). */
  get size(): number {
    return this.entries.size;
  }

  closeAll(): void {
    for (const entry of this.entries.values()) {
      clearTimeout(entry.linger);
      entry.watch.close();
    }
    this.entries.clear();
  }

  private acquire<T extends KubernetesObject>(
    what: string,
    namespace: string,
    resource: string,
    labelSelector: string,
  ): Lease<T> {
    const key = keyOf(namespace, resource, labelSelector);
    let entry = this.entries.get(key);
    if (entry?.watch.failed) {
      // A failed watch stays failed: this wait (a retry, usually) starts afresh.
      this.drop(key, entry);
      entry = undefined;
    }
    if (!entry) {
      const path = `/api/v1/namespaces/${namespace}/${resource}`;
      const watch = new SharedWatch<T>(this.kube, `${what} in ${namespace}`, path, labelSelector, () => this.kube.list<T>(path, labelSelector));
      entry = { watch: watch as unknown as SharedWatch<KubernetesObject>, users: 0 };
      this.entries.set(key, entry);
    }
    clearTimeout(entry.linger);
    entry.users += 1;
    const held = entry;
    let released = false;
    return {
      watch: held.watch as unknown as SharedWatch<T>,
      release: () => {
        if (released) return;
        released = true;
        held.users -= 1;
        if (held.users > 0) return;
        held.linger = setTimeout(() => this.drop(key, held), this.lingerMs);
        held.linger.unref();
      },
    };
  }

  private drop(key: string, entry: Entry): void {
    clearTimeout(entry.linger);
    entry.watch.close();
    if (this.entries.get(key) === entry) this.entries.delete(key);
  }
}
