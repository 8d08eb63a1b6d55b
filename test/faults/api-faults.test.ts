// Injected API faults (a sample; more rates and scenarios: npm run test:reliability):
// the worker reaches the apiserver through a proxy that answers a quarter of
// its requests with 409, 429, 500, a lost answer (applied, then 500) or a slow
// one, and fails some watch starts. The deploy still ends correct.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { faultHarness, type FaultHarness } from '../helpers/fault-harness.js';
import { FAULT_KINDS, type FaultProxy } from '../helpers/fault-proxy.js';
import { faultRun } from '../helpers/fault-run.js';

describe('injected API faults (sample)', { timeout: 600_000 }, () => {
  let h: FaultHarness;
  let proxy: FaultProxy;
  before(async () => {
    h = await faultHarness('apifault-sample', { proxy: true });
    proxy = h.proxy!;
  });
  after(async () => {
    await h?.close();
  });

  test('25% of API calls fail, stall or lose their answer: the rolling update still ends correct', { timeout: 300_000 }, async () => {
    proxy.setPlan({ rate: 0.25, watchRate: 0.2, seed: 6 });
    await faultRun(h, { app: 'api-faults', image: 'registry.example/awesome-api:2.0.0', fault: async () => {}, allowed: ['Succeeded'] });
    for (const kind of FAULT_KINDS) assert.ok(proxy.stats.injected[kind] > 0, `no ${kind} fault was injected: ${JSON.stringify(proxy.stats.injected)}`);
  });
});
