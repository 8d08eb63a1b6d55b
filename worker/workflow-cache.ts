// How many running deploys the worker keeps in memory between their workflow
// tasks. One not cached replays its history at its next task. The SDK sizes its
// cache for 1.7 MB per workflow above 200 MB of heap: with the image's 256 MB
// (Dockerfile, NODE_OPTIONS) that is 32, and 100 concurrent deploys would replay
// at nearly every step. A deploy holds about 0.6 MB of the workflow thread's heap
// (measured: 67 MB with 100 running, bench concurrency suite); counted as 1 MB.
import v8 from 'node:v8';

const MIB = 1024 * 1024;
/** The workflow thread's own heap before any workflow: the bundle's code and the SDK's. */
const BASE_HEAP_MIB = 32;
const HEAP_PER_WORKFLOW_MIB = 1;

/** The cache size for a workflow thread that may grow its heap to `heapLimitMiB` (the process's --max-old-space-size). */
export function cachedWorkflowsFor(heapLimitMiB: number = v8.getHeapStatistics().heap_size_limit / MIB): number {
  return Math.max(10, Math.floor((heapLimitMiB - BASE_HEAP_MIB) / HEAP_PER_WORKFLOW_MIB));
}
