// npm run demo: the main job on the embedded default. Brings the local stack
// up, starts the worker of environment `dev`, deploys awesome-api v1, rolls it
// to v2 with live progress, then ships a release that never becomes ready and
// watches it roll back by itself. Every deploy prints its Temporal UI link.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { up } from '../stack/lifecycle.js';
import { repoRoot } from '../stack/layout.js';
import { main as deployctl } from '../client/main.js';

const spec = path.join(repoRoot, 'examples', 'awesome-api.yaml');
const banner = (text: string) => console.log(`\n\x1b[1m== ${text}\x1b[0m`);

async function demo(): Promise<number> {
  banner('local stack: Temporal dev server + Kubernetes control plane + KWOK nodes');
  const stack = await up();
  Object.assign(process.env, {
    KUBECONFIG: stack.kubeconfig,
    TEMPORAL_ADDRESS: stack.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    DEPLOYFLOW_TEMPORAL_UI: stack.uiUrl,
  });
  console.log(`Temporal UI: ${stack.uiUrl}`);

  banner('worker for environment dev (its log: .stack/logs/worker-dev.log)');
  const log = fs.openSync(path.join(stack.logDir, 'worker-dev.log'), 'a');
  const worker = spawn(process.execPath, [path.join(repoRoot, 'bin', 'deployctl.js'), 'worker', '--env', 'dev'], {
    stdio: ['ignore', log, log],
    env: process.env,
  });
  try {
    // Bundling the workflow code takes the worker a few seconds; deploy once it polls.
    await waitForLine(path.join(stack.logDir, 'worker-dev.log'), '"worker started"', 60_000);
    const run = async (title: string, args: string[]) => {
      banner(title);
      console.log(`$ deployctl ${args.join(' ')}`);
      return deployctl(args);
    };
    await run('register search attributes', ['setup']);
    const deploy = ['deploy', '-f', spec, '--env', 'dev', '--requested-by', 'demo'];
    const v1 = await run('deploy v1 (3 replicas)', [...deploy, '--image', 'registry.example/awesome-api:1.0.0']);
    const v2 = await run('roll v1 → v2, one pod at a time', [...deploy, '--image', 'registry.example/awesome-api:2.0.0', '--source', 'https://ci.example/awesome-api/42']);
    const bad = await run('a release that never becomes ready: rolls back by itself', [
      ...deploy,
      '--image',
      'registry.example/awesome-api:3.0.0-never-ready',
    ]);
    await run('history of awesome-api in dev', ['history', 'awesome-api', '--env', 'dev']);
    banner('done');
    console.log(`v1 exit ${v1}, v2 exit ${v2}, bad release exit ${bad} (1 = rolled back, as intended)`);
    console.log(`Browse the deploys: ${stack.uiUrl}/namespaces/default/workflows`);
    console.log('The stack keeps running; stop it with: npm run stack:down');
    return v1 === 0 && v2 === 0 && bad === 1 ? 0 : 1;
  } finally {
    worker.kill('SIGTERM');
  }
}

async function waitForLine(file: string, text: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!fs.readFileSync(file, 'utf8').includes(text)) {
    if (Date.now() > deadline) throw new Error(`the worker did not start within ${timeoutMs / 1000}s; see ${file}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

demo().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(4);
  },
);
