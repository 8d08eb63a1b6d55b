// Runs the test tiers with Node's built-in runner, each file in a runner of its
// own, in two lanes side by side: the files that share the local stack's
// cluster (integration, hostile) one at a time in one lane; in the other, one
// at a time too, the files that need no cluster (unit, workflow: the stack's
// Temporal only) or bring up a stack of their own (faults, reliability,
// production). It ends with each file's time:
//   tsx test/run.ts              unit, workflow, integration, hostile and faults tests, and the production sample
//   tsx test/run.ts unit         one tier (unit | workflow | integration | hostile | faults | reliability | production)
//   tsx test/run.ts reliability/crash-campaign    one file of a tier
// The fault tiers (faults: a sample in the default run; reliability: the full
// campaign) kill and restart stack components, so each run of them gets a stack
// of its own (.stack-faults/run-<pid>), stopped at the end; its logs are kept in
// test-results/ if a test failed. DEPLOYFLOW_KEEP_FAULT_STACK=1 keeps it running.
// Debian packages a selected file needs (Chromium, nginx, openssl) are installed
// first when missing (stack/install-packages.sh).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(fileURLToPath(import.meta.url));
const repo = path.dirname(root);
// production/environments: the sample of the production topology (test:production runs all of it).
const DEFAULT_TIERS = ['unit', 'workflow', 'integration', 'hostile', 'faults', 'production/environments'];
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

// The Debian packages a test file needs; installed when missing before any test
// runs, so `npm test` on a fresh machine needs nothing installed by hand.
const SYSTEM_PACKAGES: Record<string, string[]> = {
  // drives the Temporal Web UI headless (CHROMIUM_PATH names another browser instead)
  'integration/browser': process.env.CHROMIUM_PATH ? [] : ['chromium'],
  'integration/mtls': ['nginx-light', 'openssl'], // a TLS-terminating gRPC proxy and its certificates
};

function installPackages(files: string[]): void {
  const needed = [...new Set(files.flatMap((f) => SYSTEM_PACKAGES[path.relative(root, f).replace(/\.test\.ts$/, '')] ?? []))];
  if (needed.length === 0) return;
  const result = spawnSync('bash', [path.join(repo, 'stack', 'install-packages.sh'), ...needed], { stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`could not install ${needed.join(', ')} (stack/install-packages.sh); the tests that need them cannot run`);
    process.exit(1);
  }
}

const tiers = process.argv.length > 2 ? process.argv.slice(2) : DEFAULT_TIERS;
const files = tiers.flatMap(testFiles);
installPackages(files);

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

// The tiers that never touch the shared stack's cluster, and so run beside the ones that do.
const BESIDE_TIERS = ['unit', 'workflow', ...FAULT_TIERS, 'production'];
// The tiers that use the shared stack at all (the workflow tier only its Temporal).
const SHARED_STACK_TIERS = ['workflow', 'integration', 'hostile'];
const tierOf = (file: string) => path.relative(root, file).split(path.sep)[0]!;

interface FileRun {
  file: string;
  seconds: number;
  ok: boolean;
}

/**
 * One file in a runner of its own, so the summary can say how long every file
 * took and which failed. Beside another lane its output is printed whole when
 * it ends, so two lanes never interleave; alone, it streams. --test-force-exit:
 * a failed test can leave a watch or a worker open, and must not hang the run.
 */
function runFile(file: string, beside: boolean): Promise<FileRun> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-force-exit', '--test-reporter=spec', file], {
    stdio: beside ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    env,
  });
  const output: Buffer[] = [];
  child.stdout?.on('data', (chunk: Buffer) => output.push(chunk));
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      const run: FileRun = { file: path.relative(root, file), seconds: (performance.now() - started) / 1000, ok: code === 0 };
      if (beside) process.stdout.write(Buffer.concat(output));
      console.log(`== ${run.file}: ${run.ok ? 'ok' : 'FAILED'} in ${run.seconds.toFixed(1)} s`);
      resolve(run);
    });
  });
}

async function runLane(laneFiles: string[], beside: boolean): Promise<FileRun[]> {
  const done: FileRun[] = [];
  for (const file of laneFiles) done.push(await runFile(file, beside));
  return done;
}

// Both lanes reach the shared stack (the workflow tier uses its Temporal): bring it up once, before either starts.
const usesSharedStack = files.some((f) => SHARED_STACK_TIERS.includes(tierOf(f)));
if (usesSharedStack) {
  const upResult = spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'stack', 'cli.ts'), 'up'], { stdio: 'inherit' });
  if (upResult.status !== 0) {
    console.error('the local stack did not come up (stack/cli.ts up): the tests that need it cannot run');
    process.exit(1);
  }
}

const started = performance.now();
const sharedLane = files.filter((f) => !BESIDE_TIERS.includes(tierOf(f)));
const besideLane = files.filter((f) => BESIDE_TIERS.includes(tierOf(f)));
const twoLanes = sharedLane.length > 0 && besideLane.length > 0;
const lanes = await Promise.all([runLane(sharedLane, twoLanes), runLane(besideLane, twoLanes)]);
const wallMinutes = (performance.now() - started) / 60_000;
const runs = files.map((f) => lanes.flat().find((r) => r.file === path.relative(root, f))!);
const failed = runs.filter((r) => !r.ok);
stopFaultStack(failed.length > 0);

console.log('\n== test files (seconds)');
for (const r of runs) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.seconds.toFixed(1).padStart(7)}  ${r.file}`);
const total = runs.reduce((sum, r) => sum + r.seconds, 0);
const lanesNote = twoLanes ? ` (${(total / 60).toFixed(1)} minutes of files, in two lanes)` : '';
console.log(`${runs.length} files, ${failed.length} failed, ${wallMinutes.toFixed(1)} minutes${lanesNote}`);
if (failed.length > 0) console.log(`failed: ${failed.map((r) => r.file).join(', ')}`);
process.exit(failed.length > 0 ? 1 : 0);
