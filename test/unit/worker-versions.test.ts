// The worker's build id and the rule that decides which build becomes current
// (domain/worker-versions.ts, worker/build-id.ts, worker/versioning.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { workerDeploymentFor } from '../../domain/names.js';
import { promotionOf, routingOf, type DeploymentRouting, type Promotion } from '../../domain/worker-versions.js';
import { buildIdOfBundle, validateBuildId } from '../../worker/build-id.js';
import { deploymentOptions } from '../../worker/versioning.js';
import { InvalidSpecError } from '../../domain/errors.js';

const v = (buildId: string, createdAtMs: number) => ({ buildId, createdAtMs, status: 'inactive' as const });

describe('promotionOf: which build may become current', () => {
  const cases: Array<[string, DeploymentRouting, string, Promotion]> = [
    ['the first build of an environment', { versions: [v('a', 1)] }, 'a', { kind: 'promote', replaces: undefined }],
    ['a newer build replaces the current one', { currentBuildId: 'a', versions: [v('a', 1), v('b', 2)] }, 'b', { kind: 'promote', replaces: 'a' }],
    ['the current build restarting', { currentBuildId: 'a', versions: [v('a', 1)] }, 'a', { kind: 'already-current' }],
    ['an older build coming back (a rollback of the image)', { currentBuildId: 'b', versions: [v('a', 1), v('b', 2)] }, 'a', { kind: 'older', current: 'b' }],
    ['a build the server has not registered yet', { currentBuildId: 'a', versions: [v('a', 1)] }, 'b', { kind: 'not-registered' }],
    ['the current build missing from the summaries', { currentBuildId: 'gone', versions: [v('a', 1)] }, 'a', { kind: 'promote', replaces: 'gone' }],
  ];
  for (const [name, routing, buildId, expected] of cases) test(name, () => assert.deepEqual(promotionOf(routing, buildId), expected));
});

describe('routingOf: DescribeWorkerDeployment as the rule reads it', () => {
  test('current build, versions with create times and statuses, the conflict token', () => {
    const token = new Uint8Array([1, 2]);
    const routing = routingOf({
      conflictToken: token,
      workerDeploymentInfo: {
        routingConfig: { currentDeploymentVersion: { buildId: 'b' } },
        versionSummaries: [
          { deploymentVersion: { buildId: 'a' }, createTime: { seconds: 10, nanos: 5_000_000 }, status: 4 },
          { deploymentVersion: { buildId: 'b' }, createTime: { seconds: { toNumber: () => 20 } }, status: 2 },
          { deploymentVersion: null, createTime: { seconds: 30 } },
        ],
      },
    });
    assert.deepEqual(routing, {
      currentBuildId: 'b',
      conflictToken: token,
      versions: [
        { buildId: 'a', createdAtMs: 10_005, status: 'draining' },
        { buildId: 'b', createdAtMs: 20_000, status: 'current' },
      ],
    });
  });
  test('no current build (unversioned workers get the tasks)', () => {
    assert.equal(routingOf({ workerDeploymentInfo: { routingConfig: { currentDeploymentVersion: null } } }).currentBuildId, undefined);
    assert.equal(routingOf({ workerDeploymentInfo: { routingConfig: { currentDeploymentVersion: { buildId: '' } } } }).currentBuildId, undefined);
  });
});

describe('build ids', () => {
  test('the same bundle gives the same id; another bundle or SDK another one', () => {
    const id = buildIdOfBundle('code', '1.24.0');
    assert.match(id, /^wf-[0-9a-f]{12}$/);
    assert.equal(buildIdOfBundle('code', '1.24.0'), id);
    assert.notEqual(buildIdOfBundle('code2', '1.24.0'), id);
    assert.notEqual(buildIdOfBundle('code', '1.25.0'), id);
    assert.equal(validateBuildId(id), id, 'a derived id is a valid --build-id');
  });
  test('--build-id: an image tag or a commit; nothing the server refuses', () => {
    for (const ok of ['0.1.0', 'v1.2.3-rc.1', '3f2c9ab', 'build_7']) assert.equal(validateBuildId(ok), ok);
    assert.equal(validateBuildId(undefined), undefined);
    assert.equal(validateBuildId(''), undefined, 'empty (DEPLOYFLOW_BUILD_ID= in compose) means derive');
    for (const bad of ['__internal', '-x', 'a b', 'a:b', 'x'.repeat(101)]) assert.throws(() => validateBuildId(bad), InvalidSpecError, bad);
  });
  test('the worker polls as a version of deployflow-<env>, auto-upgrading', () => {
    assert.deepEqual(deploymentOptions('production', 'wf-1'), {
      useWorkerVersioning: true,
      version: { deploymentName: workerDeploymentFor('production'), buildId: 'wf-1' },
      defaultVersioningBehavior: 'AUTO_UPGRADE',
    });
    assert.equal(workerDeploymentFor('production'), 'deployflow-production');
  });
});
