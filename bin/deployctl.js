#!/usr/bin/env node
// deployctl: the worker subcommand runs the environment's worker process;
// everything else is the client CLI. Sources are TypeScript, loaded via tsx.
import { register } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

register();
// Temporal require()s the failure converter by path (codec/failure-converter.ts).
registerCjs();
const [command, ...rest] = process.argv.slice(2);
const entry = command === 'worker' ? '../worker/main.ts' : '../client/main.ts';
const { main } = await import(new URL(entry, import.meta.url).href);
process.exitCode = await main(command === 'worker' ? rest : process.argv.slice(2));
