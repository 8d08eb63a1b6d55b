// The example app image (examples/app): its entrypoint reads the environment
// secret the way the seed does, at the very path deployflow mounts it, and falls
// back to $ENVIRONMENT. Run with the system's POSIX sh, as the image's would.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ENVIRONMENT_SECRET } from '../../domain/names.js';
import { renderReplicationController } from '../../domain/render.js';
import { validateAppSpec } from '../../domain/spec.js';
import { minimalRaw } from './spec-fixture.js';

const appDir = new URL('../../examples/app/', import.meta.url);
const entrypoint = new URL('entrypoint.sh', appDir).pathname;
const dockerfile = fs.readFileSync(new URL('Dockerfile', appDir), 'utf8');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'example-app-'));

/** Runs the entrypoint with a command that prints what the app would see. */
function start(env: Record<string, string>): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync('sh', [entrypoint, 'sh', '-c', 'printf "%s" "$ENVIRONMENT"'], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function secretFile(content: string): string {
  const file = path.join(dir, `environment-${Math.random().toString(36).slice(2)}`);
  fs.writeFileSync(file, content);
  return file;
}

describe('examples/app/entrypoint.sh', () => {
  test('reads the mounted secret (one line, newline dropped) and exports ENVIRONMENT to the command', () => {
    const r = start({ ENVIRONMENT_FILE: secretFile('production\n') });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'production');
  });

  test('the secret wins over $ENVIRONMENT: the cluster says where the pod runs', () => {
    const r = start({ ENVIRONMENT_FILE: secretFile('staging'), ENVIRONMENT: 'dev' });
    assert.equal(r.stdout, 'staging');
  });

  test('falls back to $ENVIRONMENT when no secret is mounted', () => {
    const r = start({ ENVIRONMENT_FILE: path.join(dir, 'absent'), ENVIRONMENT: 'dev' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'dev');
  });

  test('refuses to start with neither, saying why', () => {
    const r = start({ ENVIRONMENT_FILE: path.join(dir, 'absent') });
    assert.equal(r.code, 64);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /is missing and ENVIRONMENT is not set; is the environment secret mounted\?/);
  });

  test('refuses an empty secret', () => {
    const r = start({ ENVIRONMENT_FILE: secretFile('') });
    assert.equal(r.code, 64);
    assert.match(r.stderr, /is empty/);
  });

  test('passes arguments through untouched (exec "$@")', () => {
    const r = spawnSync('sh', [entrypoint, 'printf', '%s|%s', 'a b', '$HOME'], { env: { PATH: process.env.PATH ?? '', ENVIRONMENT: 'dev' }, encoding: 'utf8' });
    assert.equal(r.stdout, 'a b|$HOME');
  });

  test('by default reads exactly where deployflow mounts the secret', () => {
    const rc = renderReplicationController({
      spec: validateAppSpec(minimalRaw()), environment: 'production', image: ':1.0.0', revision: 1, requestedBy: 't', workflowId: 'w', replicas: 1,
    });
    const mount = rc.spec.template.spec.containers[0]!.volumeMounts.find((m) => m.name === ENVIRONMENT_SECRET.name);
    const mounted = `${mount?.mountPath}/${ENVIRONMENT_SECRET.key}`;
    assert.equal(mounted, '/etc/secrets/environment');
    assert.match(fs.readFileSync(entrypoint, 'utf8'), new RegExp(`\\$\\{ENVIRONMENT_FILE:-${mounted}\\}`));
  });
});

describe('examples/app/Dockerfile', () => {
  test('pins its base image and runs the command through the entrypoint', () => {
    const from = /^FROM (\S+)/m.exec(dockerfile)?.[1] ?? '';
    assert.match(from, /^node:\d+\.\d+\.\d+-/, 'an exact version');
    assert.match(dockerfile, /^ENTRYPOINT \["\/usr\/local\/bin\/entrypoint\.sh"\]$/m);
    assert.match(dockerfile, /^CMD \["node", "server\.mjs"\]$/m);
    assert.match(dockerfile, /^USER node$/m);
    for (const copied of dockerfile.matchAll(/^COPY (?:--\S+ )?(\S+)/gm)) assert.ok(fs.existsSync(new URL(copied[1]!, appDir)), `${copied[1]} exists`);
  });
});
