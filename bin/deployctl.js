#!/usr/bin/env node
// deployctl: `worker` runs an environment's worker process, `release-worker` the release worker;
// everything else is the client CLI. Sources are TypeScript, loaded via tsx.
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

register();
// Temporal require()s the failure converter by path (codec/failure-converter.ts).
registerCjs();
const [command, ...rest] = process.argv.slice(2);
// The worker processes (an environment's, the release worker) are not client commands.
const WORKERS = { worker: '../worker/main.ts', 'release-worker': '../worker/release-main.ts' };
const entry = WORKERS[command] ?? '../client/main.ts';
const { main } = await import(new URL(entry, import.meta.url).href);
process.exitCode = await main(WORKERS[command] ? rest : process.argv.slice(2));
