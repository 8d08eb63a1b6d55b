// Replays recorded deploy histories (test/fixtures/histories) against today's
// workflow code: a non-deterministic change fails here, not in production.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { workflowBundle } from '../helpers/temporal.js';
import { queueIdFor } from '../../domain/names.js';

// Today's histories (`npm run fixtures:record`), and ones recorded before the
// workflow's patched() changes: deploys in flight during an upgrade must replay too.
// queue.json is the deploy queue's (it came after the patches).
const current = new URL('../fixtures/histories/', import.meta.url);
const older = new URL('../fixtures/histories/before-patches/', import.meta.url);
const PATHS = ['cancel.json', 'first-deploy.json', 'rollback.json', 'rolling-update.json', 'stuck-retry.json'];
const TODAY = [...PATHS, 'queue.json'].sort();
const jsonIn = (dir: URL) => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('there is a recorded history for every workflow path, today\'s and from before the patches', () => {
  assert.deepEqual(jsonIn(current), TODAY);
  assert.deepEqual(jsonIn(older), PATHS);
});

/** A queue checks its own id against its input: it replays under the id it ran as. */
function recordedId(history: ReturnType<typeof historyFromJSON>): string | undefined {
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  if (started?.workflowType?.name !== 'deployQueue') return undefined;
  const data = started.input?.payloads?.[0]?.data;
  const input = data ? (JSON.parse(Buffer.from(data).toString('utf8')) as { environment: string; namespace: string; name: string }) : undefined;
  return input && queueIdFor(input.environment, input.namespace, input.name);
}

for (const [label, dir] of [['today', current], ['before the patches', older]] as const) {
  for (const file of jsonIn(dir)) {
    test(`replays ${file} (${label}) deterministically`, async () => {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(new URL(file, dir), 'utf8')));
      assert.ok((history.events?.length ?? 0) > 10);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, recordedId(history) ?? `replay-${label}-${file}`);
    });
  }
}
