// The worker's activity interceptor that reports an aborted activity as
// cancelled: what a cancelled scale or watch threw becomes a CancelledFailure
// (the workflow then ends Cancelled, not Failed); anything thrown while not
// cancelled passes through unchanged.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ActivityExecuteInput } from '@temporalio/worker';
import { Context } from '@temporalio/activity';
import { cancelledAsCancelledInterceptor } from '../../worker/cancelled-as-cancelled.js';

const input = { args: [], headers: {} } as unknown as ActivityExecuteInput;
const inbound = () => cancelledAsCancelledInterceptor()(Context.current()).inbound!;

/** What the interceptor makes of `err` thrown by an activity the workflow has just cancelled. */
async function thrownAfterCancel(err: Error): Promise<unknown> {
  const env = new MockActivityEnvironment();
  return env
    .run(() =>
      inbound().execute!(input, async () => {
        env.cancel();
        throw err;
      }),
    )
    .catch((e: unknown) => e);
}

describe('an aborted activity ends as cancelled', () => {
  test('a client error thrown after the cancellation becomes a CancelledFailure with a typed failure\'s words', async () => {
    const thrown = await thrownAfterCancel(ApplicationFailure.create({ type: 'Transient', message: 'scale awesome-api-1: aborted' }));
    assert.ok(thrown instanceof CancelledFailure, String(thrown));
    assert.equal(thrown.message, 'cancelled: scale awesome-api-1: aborted');
  });

  test('an untyped error\'s message is left out (it can carry request headers)', async () => {
    const thrown = await thrownAfterCancel(new Error('HTTP-Code: 500 Headers: {"authorization":"Bearer secret"}'));
    assert.ok(thrown instanceof CancelledFailure);
    assert.equal(thrown.message, 'cancelled');
  });

  test('a failure while not cancelled passes through as it was', async () => {
    const env = new MockActivityEnvironment();
    const failure = ApplicationFailure.create({ type: 'RolloutStalled', message: 'no progress' });
    const thrown = await env.run(() => inbound().execute!(input, async () => Promise.reject(failure))).catch((err: unknown) => err);
    assert.equal(thrown, failure);
  });
});
