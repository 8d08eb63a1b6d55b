// How a release is shown in a terminal or CI log: the environments table, the
// approvals (who, when, why), and lines while following one.
import { setTimeout as sleep } from 'node:timers/promises';
import { nextStepOf } from '../domain/release-details.js';
import type { EnvironmentProgress } from '../domain/release-state.js';
import { releaseQuery, type ReleaseProgress, type ReleaseResult } from '../workflows/release-messages.js';
import { releaseExitCode, waitForRelease, type ReleaseHandle } from './release-api.js';
import { formatTable, type Output } from './output.js';

export function releaseTable(environments: readonly EnvironmentProgress[]): string {
  return formatTable(
    ['environment', 'phase', 'image', 'since', 'next'],
    environments.map((e, i) => [e.environment, e.phase, e.image ?? '-', e.since, nextStepOf(e, i, environments)]),
  );
}

export function approvalLines(environments: readonly EnvironmentProgress[]): string[] {
  return environments
    .filter((e) => e.approval)
    .map((e) => `approved for ${e.environment} by ${e.approval!.by} at ${e.approval!.at}${e.approval!.reason ? ` (${e.approval!.reason})` : ''}`);
}

export function printReleaseResult(out: Output, result: ReleaseResult): number {
  if (out.isJson) {
    out.document(result);
  } else {
    out.line(`${result.outcome}: ${result.message}`);
    if (result.environments.length > 0) out.line(releaseTable(result.environments));
    for (const line of approvalLines(result.environments)) out.line(line);
  }
  return releaseExitCode(result);
}

const POLL_MS = 1000;

/** Follows a release to its end, printing each environment's phase changes as plain lines (CI logs). */
export async function followRelease(handle: ReleaseHandle, out: Output): Promise<number> {
  const result = waitForRelease(handle);
  let settled = false;
  const done = result.then(
    () => (settled = true),
    () => (settled = true),
  );
  const seen = new Map<string, string>();
  const printChanges = (environments: readonly EnvironmentProgress[]) => {
    for (const [i, e] of environments.entries()) {
      const key = `${e.phase} ${e.image ?? ''}`;
      if (seen.get(e.environment) === key) continue;
      seen.set(e.environment, key);
      if (e.phase !== 'Pending') out.line(`${e.environment}: ${e.phase}${e.image ? ` (${e.image})` : ''} — ${nextStepOf(e, i, environments)}`);
    }
  };
  while (!settled && !out.isJson) {
    const progress = await handle.query(releaseQuery).catch(() => undefined as ReleaseProgress | undefined);
    printChanges(progress?.environments ?? []);
    await Promise.race([done, sleep(POLL_MS, undefined, { ref: false })]);
  }
  const ended = await result;
  // The phases reached between the last look and the end (a deploy that failed fast) are told too.
  if (!out.isJson) printChanges(ended.environments);
  return printReleaseResult(out, ended);
}
