// Keeps an up-to-date map of the pods matching a selector: one list, then a
// watch from its resourceVersion, re-listing when the watch expires (410) or
// drops. Waiting on pods costs one long request instead of a poll per second.
import type { V1Pod } from '@kubernetes/client-node';
import type { Kube } from './kube.js';
import { toFailure } from './errors.js';

export class PodWatch {
  readonly pods = new Map<string, V1Pod>();
  private abort: AbortController | undefined;
  private closed = false;
  private changed: () => void = () => {};
  private failure: unknown;

  constructor(
    private readonly kube: Kube,
    private readonly namespace: string,
    private readonly labelSelector: string,
  ) {}

  async start(): Promise<void> {
    const list = await this.kube.core
      .listNamespacedPod({ namespace: this.namespace, labelSelector: this.labelSelector })
      .catch((err: unknown) => {
        throw toFailure(err, `list pods ${this.labelSelector}`);
      });
    this.pods.clear();
    for (const pod of list.items) this.pods.set(pod.metadata?.uid ?? '', pod);
    await this.watchFrom(list.metadata?.resourceVersion);
  }

  /** Resolves at the next change or after `ms`, whichever comes first; rejects if the watch failed for good. */
  nextChange(ms: number): Promise<void> {
    if (this.failure) return Promise.reject(toFailure(this.failure, `watch pods ${this.labelSelector}`));
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.changed = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
  }

  private async watchFrom(resourceVersion: string | undefined): Promise<void> {
    const path = `/api/v1/namespaces/${this.namespace}/pods`;
    const params = { labelSelector: this.labelSelector, resourceVersion, allowWatchBookmarks: true };
    let lastVersion = resourceVersion;
    this.abort = await this.kube.watch.watch(
      path,
      params,
      (type: string, pod: V1Pod) => {
        lastVersion = pod.metadata?.resourceVersion ?? lastVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.pods.set(pod.metadata?.uid ?? '', pod);
        else if (type === 'DELETED') this.pods.delete(pod.metadata?.uid ?? '');
        else if (type === 'ERROR') lastVersion = undefined; // expired: start over from a fresh list
        this.changed();
      },
      (err: unknown) => {
        if (this.closed) return;
        if (err) {
          // Refused, reset or answered with an error: client-node reports a refused
          // connection at once, so resuming here would spin thousands of times a
          // second while the wait, blind, runs into a false RolloutStalled. Fail
          // the wait instead (ClusterUnreachable, retryable) and let the
          // activity's retry policy back off until the apiserver is back.
          this.failure = err;
          this.changed();
          return;
        }
        // The server ends watches every few minutes: resume from where we were,
        // or re-list if that version has expired.
        const resume = lastVersion ? this.watchFrom(lastVersion) : this.start();
        resume.catch((again: unknown) => {
          this.failure = again ?? err;
          this.changed();
        });
      },
    );
  }
}
