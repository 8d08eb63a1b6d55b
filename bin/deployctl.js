#!/usr/bin/env node
// deployctl: `worker` runs an environment's worker process, `release-worker` the release worker;
// everything else is the client CLI. It runs the sources' compiled tree (compiled-tree.js),
// or the TypeScript sources through tsx where that tree cannot be written.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { compiledTree } from './compiled-tree.js';

const [command, ...rest] = process.argv.slice(2);
// The worker processes (an environment's, the release worker) are not client commands.
const WORKERS = { worker: 'worker/main', 'release-worker': 'worker/release-main' };
const entry = WORKERS[command] ?? 'client/main';
const tree = await compiledTree();
const { main } = await import(tree ? pathToFileURL(path.join(tree, `${entry}.js`)).href : await fromSources(entry));
process.exitCode = await main(WORKERS[command] ? rest : process.argv.slice(2));

async function fromSources(module) {
  const { register } = await import('tsx/esm/api');
  const { register: registerCjs } = await import('tsx/cjs/api');
  register();
  // Temporal require()s the failure converter by path (codec/failure-converter.ts).
  registerCjs();
  return new URL(`../${module}.ts`, import.meta.url).href;
}
