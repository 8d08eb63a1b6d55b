// The lint rules the architecture depends on: workflow (and domain) code never
// reaches Node built-ins or the Kubernetes client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint();

async function errorsFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.severity === 2).map((m) => `${m.ruleId}: ${m.message}`);
}

const cases: Array<[string, string, boolean]> = [
  ["import fs from 'node:fs';\nexport const x = fs;\n", 'workflows/bad.ts', true],
  ["import { readFileSync } from 'fs';\nexport const x = readFileSync;\n", 'workflows/bad.ts', true],
  ["import { CoreV1Api } from '@kubernetes/client-node';\nexport const x = CoreV1Api;\n", 'workflows/bad.ts', true],
  ["import crypto from 'node:crypto';\nexport const x = crypto;\n", 'domain/bad.ts', true],
  ["import { createActivities } from '../activities/index.js';\nexport const x = createActivities;\n", 'workflows/bad.ts', true],
  ["import type { DeployActivities } from '../activities/index.js';\nexport type X = DeployActivities;\n", 'workflows/ok.ts', false],
  ["import fs from 'node:fs';\nexport const x = fs;\n", 'activities/ok.ts', false],
  ["import crypto from 'node:crypto';\nexport const x = crypto;\n", 'codec/ok.ts', false],
  ["import crypto from 'node:crypto';\nexport const x = crypto;\n", 'codec/failure-converter.ts', true],
  ["import { ANNOTATIONS } from '../domain/names.js';\nexport const x = ANNOTATIONS;\n", 'codec/bad.ts', true],
  ["import { createWorker } from '../worker/run.js';\nexport const x = createWorker;\n", 'codec/bad.ts', true],
];

for (const [code, filePath, shouldFail] of cases) {
  test(`${filePath}: ${code.split('\n')[0]} → ${shouldFail ? 'refused' : 'allowed'}`, async () => {
    const errors = await errorsFor(code, filePath);
    if (shouldFail) assert.ok(errors.some((e) => /restricted-imports/.test(e)), `expected a restricted-imports error, got ${JSON.stringify(errors)}`);
    else assert.deepEqual(errors, []);
  });
}
