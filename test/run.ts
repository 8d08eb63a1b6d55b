// Runs the test tiers with Node's built-in runner, one file at a time (the
// integration files share one local stack):
//   tsx test/run.ts              unit, workflow and integration tests
//   tsx test/run.ts unit         one tier (unit | workflow | integration | crash)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_TIERS = ['unit', 'workflow', 'integration'];

function testFiles(tier: string): string[] {
  const dir = path.join(root, tier);
  if (!fs.existsSync(dir)) throw new Error(`no test tier "${tier}" (expected ${dir})`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => path.join(dir, f));
}

const tiers = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_TIERS;
const files = tiers.flatMap(testFiles);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
