// The template rendered by the Temporal server itself (`temporal-server
// render-config`, the binary the production topology runs) with compose's
// variables and with the stack's: the server's own reading of both differs only
// in deployment-specific values, and matches what stack/temporal-config.ts renders.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import yaml from 'js-yaml';
import { buildStack } from '../../stack/lifecycle.js';
import { TEMPORAL_CONFIG_DIR, TEMPORAL_CONFIG_ENV } from '../../stack/temporal-config.js';
import { composeServerEnv, sampleStackServerEnv, unexpectedDifferences } from '../helpers/server-config.js';

const run = promisify(execFile);

async function serverRendering(env: Record<string, string>): Promise<unknown> {
  const binDir = await buildStack(['--topology', 'production']);
  const { stdout } = await run(path.join(binDir, 'temporal-server'), ['--root', '/', '--config', TEMPORAL_CONFIG_DIR, '--env', TEMPORAL_CONFIG_ENV, 'render-config'], {
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return yaml.load(stdout);
}

describe('the Temporal server renders the shared template', () => {
  test('for compose and for the stack alike, but for deployment-specific values', async () => {
    const fromCompose = await serverRendering(composeServerEnv());
    const fromStack = (await serverRendering(sampleStackServerEnv())) as { global: { authorization: { authorizer: string; claimMapper: string } } };
    const diff = unexpectedDifferences(fromCompose, fromStack);
    assert.deepEqual(diff.missing, []);
    assert.deepEqual(diff.differing, [], 'no other difference');
    assert.ok(diff.all.length > 5, `the comparison sees the real differences: ${diff.all.join(', ')}`);
    assert.equal(fromStack.global.authorization.authorizer, 'default');
    assert.equal(fromStack.global.authorization.claimMapper, 'default');
  });
});
