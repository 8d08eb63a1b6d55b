// Replays recorded deploy histories (test/fixtures/histories) against today's
// workflow code: a non-deterministic change fails here, not in production.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { workflowBundle } from '../helpers/temporal.js';

const dir = new URL('../fixtures/histories/', import.meta.url);
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.json'));

test('there is a recorded history for every workflow path', () => {
  assert.deepEqual(files.sort(), ['cancel.json', 'first-deploy.json', 'rollback.json', 'rolling-update.json', 'stuck-retry.json']);
});

for (const file of files) {
  test(`replays ${file} deterministically`, async () => {
    const history = historyFromJSON(JSON.parse(fs.readFileSync(new URL(file, dir), 'utf8')));
    assert.ok((history.events?.length ?? 0) > 10);
    await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, `replay-${file}`);
  });
}
