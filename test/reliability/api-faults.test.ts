// Injected API faults at several rates and mixes: the worker reaches the
// apiserver through a proxy that answers with 409, 429, 500, a lost answer
// (the apiserver acted, the worker is told 500) or a slow one, and fails some
// watch starts. First deploys, updates and rollbacks all end correct, I1-I4
// intact (the audit log shows no RC created or deleted twice).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { faultHarness, type FaultHarness } from '../helpers/fault-harness.js';
import type { FaultKind, FaultPlan } from '../helpers/fault-proxy.js';
import { faultRun, faultTable, recorded, writeReport, type FaultRow, type FaultRun } from '../helpers/fault-run.js';

const v2 = 'registry.example/awesome-api:2.0.0';
const neverReady = 'registry.example/awesome-api:2.0.0-never-ready';

interface Case {
  name: string;
  plan: Partial<FaultPlan>;
  run: Omit<FaultRun, 'fault' | 'app'>;
}

const CASES: Case[] = [
  { name: '20% mixed, first deploy', plan: { rate: 0.2, watchRate: 0.2 }, run: { image: 'registry.example/awesome-api:1.0.0', fromV1: false, allowed: ['Succeeded'] } },
  { name: '20% mixed, update', plan: { rate: 0.2, watchRate: 0.2 }, run: { image: v2, allowed: ['Succeeded'] } },
  { name: '40% mixed, update', plan: { rate: 0.4, watchRate: 0.3 }, run: { image: v2, allowed: ['Succeeded'] } },
  {
    name: '40% mixed, never-ready release',
    plan: { rate: 0.4, watchRate: 0.3 },
    run: { image: neverReady, overrides: { strategy: { progressDeadlineSeconds: 10 } }, allowed: ['RolledBack'] },
  },
  { name: '30% lost answers (applied, then 500)', plan: { rate: 0.3, kinds: ['lost'] }, run: { image: v2, allowed: ['Succeeded'] } },
  { name: '30% lost answers, never-ready release', plan: { rate: 0.3, kinds: ['lost'] }, run: { image: neverReady, overrides: { strategy: { progressDeadlineSeconds: 10 } }, allowed: ['RolledBack'] } },
  { name: '50% 409 Conflict', plan: { rate: 0.5, watchRate: 0.3, kinds: ['conflict'] }, run: { image: v2, allowed: ['Succeeded'] } },
  { name: '50% 429 Too Many Requests', plan: { rate: 0.5, watchRate: 0.3, kinds: ['throttle'] }, run: { image: v2, allowed: ['Succeeded'] } },
  { name: '30% slow (2-8 s)', plan: { rate: 0.3, watchRate: 0.3, kinds: ['slow'], slowMs: [2000, 8000] }, run: { image: v2, allowed: ['Succeeded'] } },
];

describe('injected API faults', { timeout: 3_600_000 }, () => {
  let h: FaultHarness;
  const rows: FaultRow[] = [];
  const injected: Record<FaultKind, number> = { conflict: 0, throttle: 0, error: 0, lost: 0, slow: 0 };
  before(async () => {
    h = await faultHarness('apifault', { proxy: true });
  });
  after(async () => {
    await h?.close();
    writeReport('api-faults', `Injected API faults (totals: ${JSON.stringify(injected)})`, faultTable(rows));
  });

  CASES.forEach((c, i) => {
    test(`${c.name}: ends ${c.run.allowed.join(' or ')}, I1-I4 hold`, { timeout: 600_000 }, async () => {
      const proxy = h.proxy!;
      const before = { ...proxy.stats.injected };
      // Faults from the start of the run (v1 included), with the kinds given or every kind.
      proxy.setPlan({ rate: 0, watchRate: 0, kinds: ['conflict', 'throttle', 'error', 'lost', 'slow'], slowMs: [1000, 4000], ...c.plan, seed: 100 + i });
      try {
        const label = `${c.name}`;
        await recorded(rows, label, c.run.allowed.join(' or '), () => faultRun(h, { ...c.run, app: `apifault-${i}`, fault: async () => {} }));
      } finally {
        proxy.setPlan({ rate: 0, watchRate: 0 });
        for (const k of Object.keys(injected) as FaultKind[]) injected[k] += proxy.stats.injected[k] - before[k];
        const last = rows.at(-1);
        if (last) last.fault += ` [${(Object.keys(injected) as FaultKind[]).map((k) => `${k} ${proxy.stats.injected[k] - before[k]}`).join(', ')}]`;
      }
      const total = (Object.keys(injected) as FaultKind[]).reduce((n, k) => n + proxy.stats.injected[k] - before[k], 0);
      assert.ok(total > 0, 'no fault was injected');
    });
  });
});
