// Waiting for a deploy to end (deploy --wait, watch, rollback --to-revision):
// draws the live view while waiting, then reports the result and returns the
// exit code it earns.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { waitForResult, type DeployHandle } from './api.js';
import { temporalUiUrl } from './links.js';
import { createLiveView, type LiveView } from './live-view.js';
import type { Output } from './output.js';
import type { DeployResult } from '../workflows/messages.js';
import { exitCodeFor, printResult } from './result.js';
import { readSnapshot } from './snapshot.js';
import type { TemporalSession } from './temporal.js';

const POLL_MS = 1000;

/** `queue`: the request's ticket when it came through the app's queue (shown in the JSON result). */
export async function followDeploy(session: TemporalSession, handle: DeployHandle, out: Output, environment: string, queue?: DeployResult['queue']): Promise<number> {
  const result = waitForResult(handle);
  // JSON callers get the result alone: no view, stdout stays one document.
  if (!out.isJson) await drawUntilSettled(session.client, handle, result, createLiveView(out.io.stdout, environment));
  const outcome = { ...(await result), ...(queue && { queue }) };
  printResult(out, outcome, temporalUiUrl(out.io.env, session.namespace, handle.workflowId));
  return exitCodeFor(outcome.outcome);
}

async function drawUntilSettled(client: Client, handle: DeployHandle, result: Promise<unknown>, view: LiveView): Promise<void> {
  let settled = false;
  const done = result.then(
    () => (settled = true),
    () => (settled = true),
  );
  while (!settled) {
    const snapshot = await readSnapshot(client, handle);
    if (settled) break; // the result is in; a late frame would only repeat it
    view.show(snapshot);
    await Promise.race([done, sleep(POLL_MS, undefined, { ref: false })]);
  }
  view.end();
}
