// The activity interceptors every deploy worker runs, in one list for the
// worker and the workflow tests' workers alike.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { clusterPinInterceptor } from './cluster-pin.js';
import { cancelledAsCancelledInterceptor } from './cancelled-as-cancelled.js';

export function activityInterceptors(cluster: string | undefined): ActivityInterceptorsFactory[] {
  return [clusterPinInterceptor(cluster), cancelledAsCancelledInterceptor()];
}
