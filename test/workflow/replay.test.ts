// Replays recorded deploy histories (test/fixtures/histories) against today's
// workflow code: a non-deterministic change fails here, not in production.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { workflowBundle } from '../helpers/temporal.js';

// Today's histories (`npm run fixtures:record`), and ones recorded before the
// workflow's patched() changes: deploys in flight during an upgrade must replay too.
const current = new URL('../fixtures/histories/', import.meta.url);
const older = new URL('../fixtures/histories/before-patches/', import.meta.url);
const PATHS = ['cancel.json', 'first-deploy.json', 'rollback.json', 'rolling-update.json', 'stuck-retry.json'];
const jsonIn = (dir: URL) => fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort();

test('there is a recorded history for every workflow path, today\'s and from before the patches', () => {
  assert.deepEqual(jsonIn(current), PATHS);
  assert.deepEqual(jsonIn(older), PATHS);
});

for (const [label, dir] of [['today', current], ['before the patches', older]] as const) {
  for (const file of jsonIn(dir)) {
    test(`replays ${file} (${label}) deterministically`, async () => {
      const history = historyFromJSON(JSON.parse(fs.readFileSync(new URL(file, dir), 'utf8')));
      assert.ok((history.events?.length ?? 0) > 10);
      await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${label}-${file}`);
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
