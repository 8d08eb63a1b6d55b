// stack/install-packages.sh: installs only what is missing, and says plainly
// what to do where it cannot install (no apt-get). The install itself needs
// root and the network, so it is exercised by `npm test` on a fresh machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../../stack/layout.js';

const script = path.join(repoRoot, 'stack', 'install-packages.sh');
const run = (pkgs: string[], env: Record<string, string> = {}) =>
  spawnSync('/bin/bash', [script, ...pkgs], { encoding: 'utf8', env: { ...process.env, ...env } });

test('a package whose program is present is left alone, silently', () => {
  const r = run(['bash']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '');
});

test('without apt-get it refuses, naming the missing package', () => {
  const r = run(['deployflow-no-such-package'], { PATH: '/nonexistent' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /missing deployflow-no-such-package, and this is not a Debian-based system/);
});
