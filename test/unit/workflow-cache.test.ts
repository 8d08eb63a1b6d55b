// The worker's workflow cache follows its heap (worker/workflow-cache.ts), and the
// image's heap keeps the deploys the bench runs at once in it.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { cachedWorkflowsFor } from '../../worker/workflow-cache.js';

const dockerfile = fs.readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

describe('workflow cache size', () => {
  test("the image's heap keeps 100 concurrent deploys cached (the SDK's default would keep 32)", () => {
    const heapMiB = Number(/--max-old-space-size=(\d+)/.exec(dockerfile)?.[1]);
    assert.ok(cachedWorkflowsFor(heapMiB) >= 100, `${cachedWorkflowsFor(heapMiB)} for ${heapMiB} MB`);
  });

  test('grows with the heap and never drops below the SDK minimum of 10', () => {
    assert.ok(cachedWorkflowsFor(1024) > cachedWorkflowsFor(256));
    assert.equal(cachedWorkflowsFor(16), 10);
  });
});
