// The worker's JSON log lines keep what an error says (JSON.stringify alone turns an Error into {}).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure } from '@temporalio/common';
import { logLine } from '../../worker/log.js';

test('errors in log metadata keep their name, message, type and cause', () => {
  const cause = new Error('connect ECONNREFUSED 127.0.0.1:6443');
  const error = ApplicationFailure.create({ type: 'WebhookFailed', message: 'webhook delivery failed: hooks.example: HTTP 500', cause });
  const line = JSON.parse(logLine({ level: 'WARN', message: 'Activity failed', timestampNanos: 1_700_000_000_000_000_000n, meta: { error, activityType: 'notify' } }));
  assert.equal(line.message, 'Activity failed');
  assert.equal(line.activityType, 'notify');
  assert.equal(line.error.message, 'webhook delivery failed: hooks.example: HTTP 500');
  assert.equal(line.error.type, 'WebhookFailed');
  assert.equal(line.error.cause.message, 'connect ECONNREFUSED 127.0.0.1:6443');
  assert.equal(line.time, '2023-11-14T22:13:20.000Z');
});
