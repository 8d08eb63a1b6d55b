// Runs the test tiers with Node's built-in runner, one file at a time (the
// integration files share one local stack):
//   tsx test/run.ts              unit, workflow, integration, hostile and faults tests
//   tsx test/run.ts unit         one tier (unit | workflow | integration | hostile | faults | reliability)
//   tsx test/run.ts reliability/crash-campaign    one file of a tier
// The fault tiers (faults: a sample in the default run; reliability: the full
// campaign) kill and restart stack components, so each run of them gets a stack
// of its own (.stack-faults/run-<pid>), stopped at the end; its logs are kept in
// test-results/ if a test failed. DEPLOYFLOW_KEEP_FAULT_STACK=1 keeps it running.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(root);
const DEFAULT_TIERS = ['unit', 'workflow', 'integration', 'hostile', 'faults'];
const FAULT_TIERS = ['faults', 'reliability'];

function testFiles(tier: string): string[] {
  if (tier.includes('/')) {
    const file = path.join(root, `${tier}.test.ts`);
    if (!fs.existsSync(file)) throw new Error(`no test file "${tier}" (expected ${file})`);
    return [file];
  }
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

// A fault stack of this run's own, unless the caller chose one.
const faulty = tiers.some((t) => FAULT_TIERS.includes(t.split('/')[0]!));
const ownFaultStack = faulty && !process.env.DEPLOYFLOW_FAULT_STACK_DIR;
const faultStackDir = process.env.DEPLOYFLOW_FAULT_STACK_DIR ?? path.join(repo, '.stack-faults', `run-${process.pid}`);
const env = faulty ? { ...process.env, DEPLOYFLOW_FAULT_STACK_DIR: faultStackDir } : process.env;

function stopFaultStack(failed: boolean): void {
  if (!ownFaultStack || process.env.DEPLOYFLOW_KEEP_FAULT_STACK === '1' || !fs.existsSync(faultStackDir)) return;
  if (failed && fs.existsSync(path.join(faultStackDir, 'logs'))) {
    const keep = path.join(repo, 'test-results', `fault-stack-logs-${process.pid}`);
    fs.cpSync(path.join(faultStackDir, 'logs'), keep, { recursive: true });
    console.error(`fault stack logs kept in ${keep}`);
  }
  spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'stack', 'cli.ts'), 'down'], {
    stdio: 'inherit',
    env: { ...process.env, DEPLOYFLOW_STACK_DIR: faultStackDir },
  });
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopFaultStack(true);
    process.exit(1);
  });
}

const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', ...files], { stdio: 'inherit', env });
stopFaultStack(result.status !== 0);
process.exit(result.status ?? 1);
