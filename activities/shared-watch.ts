// An up-to-date map of the objects (pods, RCs) matching a selector in one
// namespace: one list, then a watch from its resourceVersion, resuming when the
// server ends the watch and re-listing when that version has expired (410).
// Waits share it through ClusterWatches, so a rollout costs one list and one
// watch, not a list and a watch per step.
import { ApplicationFailure } from '@temporalio/common';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Kube } from './kube.js';
import { toFailure } from './errors.js';
import type { Listed } from './plain-list.js';

export class SharedWatch<T extends KubernetesObject> {
  /** By uid. */
  readonly items = new Map<string, T>();
  /** Rejects when the first list fails; the watch is ready once it resolves. */
  readonly ready: Promise<void>;
  private abort: AbortController | undefined;
  private closed = false;
  private listeners = new Set<() => void>();
  private failure: unknown;
  private listed = false;

  constructor(
    private readonly kube: Kube,
    /** For messages: `pods name=awesome-api`. */
    readonly what: string,
    private readonly path: string,
    private readonly labelSelector: string,
    private readonly list: () => Promise<Listed<T>>,
  ) {
    this.ready = this.start();
    // A waiter attaches later; an unobserved first failure must not crash the worker.
    this.ready.catch(() => {});
  }

  /** Listed and not failed: `items` is what the cluster ran a moment ago. */
  get current(): boolean {
    return this.listed && !this.failed && !this.closed;
  }

  /** The watch stopped for good (an error, or dropped as stale): the next wait has to start a new one. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Resolves at the next change or after `ms`, whichever comes first; rejects if the watch failed. */
  nextChange(ms: number): Promise<void> {
    if (this.failure) return Promise.reject(toFailure(this.failure, `watch ${this.what}`));
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.listeners.add(done);
    });
  }

  /** Stops the watch as failed (it fell behind): its waits fail retryably and the next one starts afresh. */
  invalidate(why: string): void {
    this.fail(ApplicationFailure.retryable(`${this.what}: ${why}`, 'WatchStale'));
    this.close();
  }

  close(): void {
    this.closed = true;
    this.abort?.abort();
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  private fail(err: unknown): void {
    this.failure = err;
    this.notify();
  }

  private async start(): Promise<void> {
    try {
      const list = await this.list();
      this.items.clear();
      for (const item of list.items) this.items.set(item.metadata?.uid ?? '', item);
      this.listed = true;
      this.notify();
      await this.watchFrom(list.metadata?.resourceVersion);
    } catch (err) {
      this.fail(err);
      throw toFailure(err, `list and watch ${this.what}`);
    }
  }

  private async watchFrom(resourceVersion: string | undefined): Promise<void> {
    // Ended by the server after 4-5 minutes and resumed, as client-go's reflectors do:
    // a connection that died without a word cannot hide changes for long.
    const timeoutSeconds = 240 + Math.floor(Math.random() * 60);
    const params = { labelSelector: this.labelSelector, resourceVersion, allowWatchBookmarks: true, timeoutSeconds };
    let lastVersion = resourceVersion;
    this.abort = await this.kube.watch.watch(
      this.path,
      params,
      (type: string, item: T) => {
        lastVersion = item.metadata?.resourceVersion ?? lastVersion;
        if (type === 'ADDED' || type === 'MODIFIED') this.items.set(item.metadata?.uid ?? '', item);
        else if (type === 'DELETED') this.items.delete(item.metadata?.uid ?? '');
        else if (type === 'ERROR') lastVersion = undefined; // expired: start over from a fresh list
        this.notify();
      },
      (err: unknown) => {
        if (this.closed) return;
        if (err) {
          // Refused, reset or answered with an error: client-node reports a refused
          // connection at once, so resuming here would spin thousands of times a
          // second while the waits, blind, run into a false RolloutStalled. Fail
          // the waits instead (ClusterUnreachable, retryable): the activities'
          // retry policy backs off, and their next attempt starts a new watch.
          this.fail(err);
          return;
        }
        // The server ends watches every few minutes: resume from where we were,
        // or re-list if that version has expired.
        const resume = lastVersion ? this.watchFrom(lastVersion) : this.start();
        resume.catch((again: unknown) => this.fail(again ?? err));
      },
    );
  }
}
