// Replays recorded deploy histories (test/fixtures/histories) against today's
// workflow code: a non-deterministic change fails here, not in production.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { workflowBundle } from '../helpers/temporal.js';
import { queueIdFor, workflowIdFor } from '../../domain/names.js';

// Today's histories (`npm run fixtures:record`), and ones recorded by earlier
// versions of the workflow: deploys in flight during an upgrade must replay too.
const PATHS = ['cancel.json', 'first-deploy.json', 'rollback.json', 'rolling-update.json', 'stuck-retry.json'];
const DIRS = [
  { label: 'today', dir: new URL('../fixtures/histories/', import.meta.url), paths: [...PATHS, 'continued.json', 'queue.json'].sort() },
  { label: 'before steps ran back to back', dir: new URL('../fixtures/histories/before-steps-back-to-back/', import.meta.url), paths: [...PATHS, 'continued.json'].sort() },
  { label: 'before one patch marker stood for all', dir: new URL('../fixtures/histories/before-quiet-start/', import.meta.url), paths: [...PATHS, 'continued.json'].sort() },
  { label: 'before notifications waited for a webhook', dir: new URL('../fixtures/histories/before-quiet-notifications/', import.meta.url), paths: [...PATHS, 'continued.json'].sort() },
  { label: 'before a step checked its own plan', dir: new URL('../fixtures/histories/before-plan-check/', import.meta.url), paths: [...PATHS, 'continued.json'].sort() },
  { label: 'before one activity per step', dir: new URL('../fixtures/histories/before-one-activity/', import.meta.url), paths: [...PATHS, 'continued.json'].sort() },
  { label: 'before reset-safe rollouts', dir: new URL('../fixtures/histories/before-reset-safety/', import.meta.url), paths: PATHS },
  { label: 'before the patches', dir: new URL('../fixtures/histories/before-patches/', import.meta.url), paths: PATHS },
];
/**
 * The id the recorded workflow ran under, from its input: a deploy and a queue
 * check their own ids (histories recorded before admission replay under any id).
 */
function recordedId(history: ReturnType<typeof historyFromJSON>): string | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const data = started?.input?.payloads?.[0]?.data;
  if (!data) return undefined;
  const input = JSON.parse(Buffer.from(data).toString('utf8')) as { environment?: string; namespace?: string; name?: string; spec?: { namespace?: string; name?: string } };
  if (!input.environment) return undefined;
  if (started.workflowType?.name === 'deployQueue') return input.namespace && input.name ? queueIdFor(input.environment, input.namespace, input.name) : undefined;
  return input.spec?.namespace && input.spec.name ? workflowIdFor(input.environment, input.spec.namespace, input.spec.name) : undefined;
}

const jsonIn = (dir: URL) => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('there is a recorded history for every workflow path, today\'s and from earlier versions', () => {
  for (const { dir, paths } of DIRS) assert.deepEqual(jsonIn(dir), paths);
});

for (const { label, dir } of DIRS) {
  for (const file of jsonIn(dir)) {
    test(`replays ${file} (${label}) deterministically`, async () => {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(new URL(file, dir), 'utf8')));
      assert.ok((history.events?.length ?? 0) > 10);
      // Under the deploy's own id and task queue: the workflow checks that it runs as its app's lock
      // (the SDK replays on a queue of its own unless told; its options spread over that default).
      const taskQueue = history.events?.[0]?.workflowExecutionStartedEventAttributes?.taskQueue?.name ?? undefined;
      const options = { workflowBundle: await workflowBundle(), ...(taskQueue && { taskQueue }) };
      await Worker.runReplayHistory(options, history, recordedId(history) ?? `replay-${label}-${file}`);
    });
  }
}

// Releases (`npm run fixtures:record-release`): a promoted release through a soak and a gate, and
// one whose production deploy rolled back and took staging back with it.
const releases = new URL('../fixtures/histories/release/', import.meta.url);
const RELEASE_PATHS = ['failed-rollback.json', 'promoted.json'];

test('there is a recorded history of a promoted and of a rolled-back release', () => {
  assert.deepEqual(jsonIn(releases), RELEASE_PATHS);
});

for (const file of RELEASE_PATHS) {
  test(`replays release ${file} deterministically`, async () => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(new URL(file, releases), 'utf8')));
    assert.ok((history.events?.length ?? 0) > 20);
    assert.ok(history.events?.some((e) => e.nexusOperationScheduledEventAttributes), 'it called the environments through Nexus');
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-release-${file}`);
  });
}
