// The release's pure decisions (domain/release-*.ts), as tables: the plan the
// flags make, what a deploy's end means, what a stop rolls back, what a soak
// sees, which command fits which phase, and the UI's details table.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidSpecError } from '../../domain/errors.js';
import { checkReleasePlan, parseDuration, releaseIdFor } from '../../domain/release-plan.js';
import { decideStop, deployVerdict, releaseActionsFor, RELEASE_PHASES, soakVerdict, type DeployEnd, type Stop } from '../../domain/release-state.js';
import { nextStepOf, renderReleaseDetails } from '../../domain/release-details.js';

describe('release plan', () => {
  test('durations', () => {
    for (const [text, seconds] of [['20s', 20], ['10m', 600], ['1h', 3600], ['1h30m', 5400], ['45', 45], ['0s', 0]] as const) {
      assert.equal(parseDuration(text), seconds, text);
    }
    for (const text of ['', 'm', '10x', '1.5m', '-5s', '10m ', 'ten']) {
      assert.equal(parseDuration(text), undefined, JSON.stringify(text));
    }
  });

  test('the flags become a plan', () => {
    assert.deepEqual(checkReleasePlan({ through: 'staging,production', soak: '10m', approve: ['production'], onFailure: 'rollback' }), {
      environments: ['staging', 'production'],
      soakSeconds: 600,
      approve: ['production'],
      onFailure: 'rollback',
    });
    assert.deepEqual(checkReleasePlan({ through: 'staging' }), { environments: ['staging'], soakSeconds: 0, approve: [], onFailure: 'stop' });
    assert.deepEqual(checkReleasePlan({ through: 'a,b,c', approve: ['b,c', 'c'] }).approve, ['b', 'c']);
  });

  const cases: [string, Parameters<typeof checkReleasePlan>[0], RegExp][] = [
    ['no environment', { through: ' , ' }, /--through: must name at least one environment/],
    ['an environment twice', { through: 'staging,staging' }, /--through: names staging twice/],
    ['a bad environment name', { through: 'Staging' }, /--through Staging: must be a DNS-1123 label/],
    ['a bad soak', { through: 'staging', soak: 'soon' }, /--soak: must be a duration such as 20s/],
    ['a soak over a week', { through: 'staging', soak: '200h' }, /--soak: must be at most 7 days/],
    ['approve outside --through', { through: 'staging', approve: ['production'] }, /--approve: production is not one of --through \(staging\)/],
    ['an unknown --on-failure', { through: 'staging', onFailure: 'undo' }, /--on-failure: must be rollback or stop, not "undo"/],
  ];
  for (const [name, fields, message] of cases) {
    test(`refuses ${name}`, () => assert.throws(() => checkReleasePlan(fields), (err: Error) => err instanceof InvalidSpecError && message.test(err.message)));
  }

  test('every problem at once', () => {
    assert.throws(() => checkReleasePlan({ through: 'staging', soak: 'x', onFailure: 'y' }), (err: InvalidSpecError) => err.issues.length === 2);
  });

  test('one release per app and image', () => {
    assert.equal(releaseIdFor('awesome-api', 'registry.example/awesome-api:1.4.2'), 'release/awesome-api/registry.example/awesome-api:1.4.2');
  });
});

describe('release decisions', () => {
  test('what a deploy end means for the release', () => {
    const table: [DeployEnd, ReturnType<typeof deployVerdict>][] = [
      [{ outcome: 'Succeeded' }, 'promoted'],
      [{ outcome: 'Unchanged' }, 'promoted'],
      [{ outcome: 'Scaled' }, 'promoted'],
      [{ outcome: 'RolledBack', reason: 'RolloutStalled' }, 'failed'],
      [{ outcome: 'RolledBack', reason: 'ImagePullBackOff' }, 'failed'],
      [{ outcome: 'Failed', reason: 'PolicyViolation' }, 'failed'],
      [{ outcome: 'RolledBack', reason: 'OperatorRollback' }, 'pinned'],
      [{ outcome: 'RolledBack', reason: 'Cancelled' }, 'pinned'],
      [{ outcome: 'RolledBack', reason: 'DecisionTimeout' }, 'failed'],
    ];
    for (const [end, verdict] of table) assert.equal(deployVerdict(end), verdict, JSON.stringify(end));
  });

  test('what a stop rolls back, in which order', () => {
    const table: [string, 'rollback' | 'stop', Stop, string[], ReturnType<typeof decideStop>][] = [
      ['deploy fails, stop', 'stop', { kind: 'deploy-failed', environment: 'production' }, ['dev', 'staging'], { outcome: 'Failed', rollBack: [] }],
      ['deploy fails, rollback: the promoted ones, last first', 'rollback', { kind: 'deploy-failed', environment: 'production' }, ['dev', 'staging'], { outcome: 'Failed', rollBack: ['staging', 'dev'] }],
      ['the first deploy fails, rollback: nothing promoted', 'rollback', { kind: 'deploy-failed', environment: 'staging' }, [], { outcome: 'Failed', rollBack: [] }],
      ['soak fails, rollback: that one first', 'rollback', { kind: 'soak-failed', environment: 'staging' }, ['dev', 'staging'], { outcome: 'Failed', rollBack: ['staging', 'dev'] }],
      ['soak fails, stop', 'stop', { kind: 'soak-failed', environment: 'staging' }, ['dev', 'staging'], { outcome: 'Failed', rollBack: [] }],
      ['pinned, even with rollback: nothing', 'rollback', { kind: 'pinned', environment: 'staging' }, ['dev', 'staging'], { outcome: 'Pinned', rollBack: [] }],
      ['stopped by an operator: nothing', 'rollback', { kind: 'stopped', environment: 'production' }, ['staging'], { outcome: 'Stopped', rollBack: [] }],
    ];
    for (const [name, onFailure, stop, promoted, decision] of table) assert.deepEqual(decideStop({ onFailure }, stop, promoted), decision, name);
  });

  test('what a soak sees', () => {
    const expected = { rc: 'api-aaaa', revision: 2, image: 'r/api:2', replicas: 3 };
    const rc = (name: string, replicas: number, availableReplicas = replicas) => ({ name, replicas, availableReplicas });
    const table: [string, ReturnType<typeof rc>[], string][] = [
      ['fully available', [rc('api-aaaa', 3), rc('api-old', 0)], 'ok'],
      ['a pod lost readiness', [rc('api-aaaa', 3, 2)], 'unhealthy'],
      ['the old RC came back (a rollback)', [rc('api-aaaa', 3), rc('api-old', 1, 0)], 'pinned'],
      ['ours scaled down', [rc('api-aaaa', 1)], 'pinned'],
      ['ours gone', [rc('api-old', 3)], 'pinned'],
    ];
    for (const [name, rcs, want] of table) {
      const verdict = soakVerdict(expected, rcs);
      assert.equal(verdict.ok ? 'ok' : verdict.kind, want, name);
    }
  });

  test('one table says which command fits which phase', () => {
    const table = Object.fromEntries(RELEASE_PHASES.map((p) => [p, releaseActionsFor(p)]));
    assert.deepEqual(table, {
      Starting: ['stop'],
      Deploying: ['stop'],
      Soaking: ['stop'],
      AwaitingApproval: ['approve', 'stop'],
      RollingBack: [],
      Promoted: [],
      Failed: [],
      Pinned: [],
      Stopped: [],
    });
  });
});

describe('release details (the Temporal UI)', () => {
  const environments = [
    { environment: 'staging', phase: 'Promoted' as const, image: 'r/api:2', since: '2026-12-01T10:00:00Z', approval: undefined },
    {
      environment: 'production',
      phase: 'AwaitingApproval' as const,
      image: 'r/api:1',
      since: '2026-12-01T10:01:00Z',
    },
  ];

  test('a row per environment with phase, image, since and next action', () => {
    const md = renderReleaseDetails({ app: 'api', image: 'r/api:2', phase: 'AwaitingApproval', environments });
    assert.match(md, /^\*\*AwaitingApproval\*\* · api · `r\/api:2`/);
    assert.match(md, /\| environment \| phase \| image \| since \| next \|/);
    assert.match(md, /\| staging \| Promoted \| r\/api:2 \| 2026-12-01T10:00:00Z \| done \|/);
    assert.match(md, /\| production \| AwaitingApproval \| r\/api:1 \| 2026-12-01T10:01:00Z \| `approve` to deploy \|/);
    assert.match(md, /\*\*Next action\*\*: `deployctl release approve api --image r\/api:2` or `deployctl release stop api --image r\/api:2`/);
  });

  test('approvals name who, when and why; an ended release offers no action', () => {
    const approved = environments.map((e) => (e.environment === 'production' ? { ...e, phase: 'Promoted' as const, approval: { environment: 'production', by: 'alice', reason: 'looks good | ship', at: '2026-12-01T10:02:00Z' } } : e));
    const md = renderReleaseDetails({ app: 'api', image: 'r/api:2', phase: 'Promoted', environments: approved, message: 'promoted' });
    assert.match(md, /Approved for production by alice at 2026-12-01T10:02:00Z: looks good \\\| ship\./);
    assert.doesNotMatch(md, /Next action/);
  });

  test('the next step of each phase', () => {
    const at = (phase: (typeof environments)[number]['phase'] | 'Pending' | 'Soaking' | 'Pinned', extra = {}) => nextStepOf({ environment: 'production', phase, since: '', ...extra }, 1, environments);
    assert.equal(at('Pending'), 'deploy after staging');
    assert.equal(at('Soaking', { soakUntil: '2026-12-01T10:05:00Z' }), 'soak ends 2026-12-01T10:05:00Z');
    assert.match(at('Pinned'), /pinned by a manual change/);
  });
});
