// What a deploy does with the app's RCs as it finds them: nothing, a scale, or a
// rolling update — and an RC it created itself before a crash is rolled to.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { planApply } from '../../workflows/apply-plan.js';
import type { RcInfo } from '../../activities/index.js';

const THIS_DEPLOY = '3f1c2a9e-1b7d-4c1e-9a55-0d6f0c7e2b10';
const EARLIER_DEPLOY = '9b8e7d6c-5a4b-4c3d-8e2f-1a0b9c8d7e6f';

function rc(hash: string, replicas: number, extra: Partial<RcInfo> = {}): RcInfo {
  return {
    name: `awesome-api-${hash}`, hash, revision: 1, image: 'registry.example/awesome-api:1.0.0', replicas, desiredReplicas: replicas,
    readyReplicas: replicas, availableReplicas: replicas, workflowId: 'deploy/staging/apps/awesome-api', ...extra,
  };
}

describe('planApply', () => {
  test('the same template at the desired size, made by an earlier deploy: unchanged', () => {
    const found = rc('aaa', 3, { deployId: EARLIER_DEPLOY });
    assert.deepEqual(planApply([found], 'aaa', 3, THIS_DEPLOY), { kind: 'unchanged', rc: found });
  });

  test('an RC from before deploy ids (no annotation) is judged as before', () => {
    const found = rc('aaa', 3);
    assert.equal(planApply([found], 'aaa', 3, THIS_DEPLOY).kind, 'unchanged');
    assert.equal(planApply([found], 'aaa', 5, THIS_DEPLOY).kind, 'scale');
  });

  test('the RC this deploy created before its worker died: rolled to, and counted as created', () => {
    const own = rc('aaa', 3, { deployId: THIS_DEPLOY, availableReplicas: 1, readyReplicas: 1 });
    assert.deepEqual(planApply([own], 'aaa', 3, THIS_DEPLOY), { kind: 'roll', existing: own, serving: [], createdByThisDeploy: true });
  });

  test('an update whose new RC this deploy created at 0 keeps the old RCs serving', () => {
    const old = rc('aaa', 3, { deployId: EARLIER_DEPLOY });
    const own = rc('bbb', 0, { deployId: THIS_DEPLOY, revision: 2 });
    assert.deepEqual(planApply([old, own], 'bbb', 3, THIS_DEPLOY), { kind: 'roll', existing: own, serving: [old], createdByThisDeploy: true });
  });

  test('a kept revision of an earlier deploy is rolled to but not counted as created', () => {
    const kept = rc('aaa', 0, { deployId: EARLIER_DEPLOY });
    const serving = rc('bbb', 3, { deployId: EARLIER_DEPLOY, revision: 2 });
    assert.deepEqual(planApply([kept, serving], 'aaa', 3, THIS_DEPLOY), { kind: 'roll', existing: kept, serving: [serving] });
  });
});
