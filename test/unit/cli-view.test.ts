// The pure parts of deployctl: the live view (terminal frames and CI log
// lines), visibility queries, outcomes, exit codes and links.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeployProgress } from '../../workflows/messages.js';
import { bar, createLiveView, frameLines, logLine, type LiveSnapshot } from '../../client/live-view.js';
import { deployHistoryQuery, deployListQuery } from '../../client/visibility-query.js';
import { outcomeOf, type DeployInfo } from '../../client/deploy-info.js';
import { exitCodeFor } from '../../client/result.js';
import { stuckDeploysViewUrl, temporalUiUrl } from '../../client/links.js';
import { formatDuration, formatTable } from '../../client/output.js';

function progress(overrides: Partial<DeployProgress> = {}): DeployProgress {
  return {
    workflowId: 'deploy/prod/default/awesome-api',
    app: 'awesome-api',
    namespace: 'default',
    environment: 'prod',
    image: 'registry.example/awesome-api:2.0.0',
    requestedBy: 'alice',
    phase: 'RollingOut',
    step: 1,
    totalSteps: 3,
    desired: 3,
    newRc: { name: 'awesome-api-1a2b3c4d', revision: 2, replicas: 2, available: 1 },
    oldRcs: [{ name: 'awesome-api-0f0f0f0f', revision: 1, replicas: 2, available: 2 }],
    paused: false,
    approval: 'none',
    nextActions: ['pause', 'rollback'],
    actions: [],
    ...overrides,
  };
}

const counts = (ready: number, problems: Array<{ pod: string; reason: string; message: string }> = []) => ({
  total: 2,
  ready,
  available: ready,
  terminating: 0,
  problems,
});

class Capture {
  text = '';
  constructor(readonly isTTY: boolean) {}
  write(chunk: string) {
    this.text += chunk;
    return true;
  }
}

describe('live view', () => {
  test('bars fill in proportion and never overflow', () => {
    assert.equal(bar(0, 3, 6), '[------]');
    assert.equal(bar(2, 3, 6), '[####--]');
    assert.equal(bar(5, 3, 6), '[######]');
    assert.equal(bar(1, 0, 4), '[----]');
  });

  test('a frame shows phase, step k/n, a new and an old bar', () => {
    const lines = frameLines({ progress: progress() }, 'prod');
    assert.equal(lines[0], 'RollingOut · step 1/3');
    assert.match(lines[1]!, /^new awesome-api-1a2b3c4d \[#######-------------\] 1\/3 ready$/);
    assert.match(lines[2]!, /^old awesome-api-0f0f0f0f \[#############-------\] 2\/3 ready$/);
  });

  test('the heartbeat counts go to the side being waited on', () => {
    const waitingNew = progress({ waitingFor: { what: '2 available pods of awesome-api-1a2b3c4d', since: '', side: 'new' } });
    assert.match(frameLines({ progress: waitingNew, pods: counts(2) }, 'prod')[1]!, /2\/3 ready/);
    const waitingOld = progress({ waitingFor: { what: 'old RCs of awesome-api to shrink to 1 pods', since: '', side: 'old' } });
    const lines = frameLines({ progress: waitingOld, pods: counts(1) }, 'prod');
    assert.match(lines[1]!, /^new .* 1\/3 ready/);
    assert.match(lines[2]!, /^old .* 1\/3 ready/);
  });

  test('steps taken back to back: the heartbeat says how many since the workflow last looked, and the other side', () => {
    const live = { ...counts(1), side: 'new' as const, awaiting: '1 available pods of awesome-api-1a2b3c4d', stepsDone: 2, sides: { new: { replicas: 3, available: 2 }, old: { replicas: 0, available: 0 } } };
    const lines = frameLines({ progress: progress(), pods: live }, 'prod');
    assert.equal(lines[0], 'RollingOut · step 3/3');
    assert.match(lines[1]!, /^new .* 1\/3 ready/, 'the awaited side: the pods as the wait sees them');
    assert.match(lines[2]!, /^old .* 0\/3 ready/, 'the other side: as the activity last saw it, not the workflow');
    assert.equal(frameLines({ progress: progress({ step: 3 }), pods: { ...live, stepsDone: 4 } }, 'prod')[0], 'RollingOut · step 7/7', 'never "step 7 of 3"');
  });

  test('pod problems and, when stuck, the last error and the next commands', () => {
    const stuck = progress({
      phase: 'Stuck',
      nextActions: ['retry', 'rollback'],
      lastError: { type: 'RolloutStalled', reason: 'ImagePullBackOff', message: 'no progress for 6s', at: '' },
      waitingFor: { what: 'an operator to retry or roll back', since: '' },
    });
    const text = frameLines({ progress: stuck, pods: counts(0, [{ pod: 'p-1', reason: 'ImagePullBackOff', message: 'Back-off pulling image' }]) }, 'prod').join('\n');
    assert.match(text, /! p-1: ImagePullBackOff: Back-off pulling image/);
    assert.match(text, /last error: ImagePullBackOff: no progress for 6s/);
    assert.match(text, /next: deployctl retry awesome-api --env prod \| deployctl rollback awesome-api --env prod/);
  });

  test('without an answer from the worker it says so', () => {
    assert.match(frameLines({ queryError: 'no answer within 3s' }, 'prod')[0]!, /is the worker of prod running\?/);
  });

  test('a terminal gets redrawn frames; a CI log one plain line per change, no ANSI codes', () => {
    const snapshots: LiveSnapshot[] = [
      { progress: progress() },
      { progress: progress() },
      { progress: progress({ step: 2, newRc: { name: 'awesome-api-1a2b3c4d', revision: 2, replicas: 3, available: 3 } }) },
      { progress: progress({ step: 2 }), pods: counts(0, [{ pod: 'p-1', reason: 'CrashLoopBackOff', message: '' }]) },
      { progress: progress({ step: 2 }), pods: counts(0, [{ pod: 'p-1', reason: 'CrashLoopBackOff', message: '' }]) },
    ];
    const log = new Capture(false);
    const logView = createLiveView(log, 'prod');
    for (const s of snapshots) logView.show(s);
    logView.end();
    const lines = log.text.trimEnd().split('\n');
    assert.deepEqual(lines, [
      logLine(snapshots[0]!, 'prod'),
      logLine(snapshots[2]!, 'prod'),
      logLine(snapshots[3]!, 'prod'),
      '  ! p-1: CrashLoopBackOff',
    ]);
    assert.equal(lines[0], 'RollingOut · step 1/3, new awesome-api-1a2b3c4d 1/3 ready, old awesome-api-0f0f0f0f 2/3 ready');
    assert.doesNotMatch(log.text, /\x1b/);

    const tty = new Capture(true);
    const ttyView = createLiveView(tty, 'prod');
    ttyView.show(snapshots[0]!);
    ttyView.show(snapshots[2]!);
    assert.match(tty.text, /\x1b\[3A\r\x1b\[J/);
  });
});

describe('visibility queries', () => {
  test('filters combine with AND on the deploy search attributes', () => {
    assert.equal(deployListQuery({}), "WorkflowType = 'deploy'");
    assert.equal(
      deployListQuery({ environment: 'production', phase: 'Stuck', app: 'awesome-api' }),
      "WorkflowType = 'deploy' AND DeployEnvironment = 'production' AND DeployPhase = 'Stuck' AND DeployApp = 'awesome-api'",
    );
    assert.equal(deployHistoryQuery('deploy/prod/default/awesome-api'), "WorkflowId = 'deploy/prod/default/awesome-api'");
  });

  test('values that could escape the quotes are refused', () => {
    for (const value of ["a'b", 'a"b', 'a\\b', 'a\nb']) assert.throws(() => deployListQuery({ app: value }), /must not contain quotes/);
  });
});

describe('results', () => {
  const info = (status: string, phase: string): DeployInfo => ({
    workflowId: 'w',
    runId: 'r',
    app: 'a',
    environment: 'e',
    namespace: 'n',
    image: 'i',
    phase,
    requestedBy: 'x',
    status,
    startTime: '',
  });

  test('outcome: the final phase, else the execution status (a superseded deploy is "cancelled")', () => {
    assert.equal(outcomeOf(info('COMPLETED', 'Succeeded')), 'Succeeded');
    assert.equal(outcomeOf(info('FAILED', 'RolledBack')), 'RolledBack');
    assert.equal(outcomeOf(info('CANCELLED', 'RollingBack')), 'cancelled');
    assert.equal(outcomeOf(info('TIMED_OUT', 'RollingOut')), 'timed out');
    assert.equal(outcomeOf(info('RUNNING', 'Stuck')), 'Stuck');
  });

  test('exit codes: 0 for succeeded, unchanged and scaled; 1 for rolled back and failed', () => {
    assert.deepEqual((['Succeeded', 'Unchanged', 'Scaled', 'RolledBack', 'Failed'] as const).map(exitCodeFor), [0, 0, 0, 1, 1]);
  });

  test('UI links only when DEPLOYFLOW_TEMPORAL_UI is set, with the workflow id encoded', () => {
    assert.equal(temporalUiUrl({}, 'default', 'deploy/a/b/c'), undefined);
    assert.equal(
      temporalUiUrl({ DEPLOYFLOW_TEMPORAL_UI: 'http://ui.example:8233/' }, 'default', 'deploy/prod/default/awesome-api'),
      'http://ui.example:8233/namespaces/default/workflows/deploy%2Fprod%2Fdefault%2Fawesome-api',
    );
  });

  test('the stuck-deploys view link: the list filtered on DeployPhase, saved under a name by the UI', () => {
    assert.equal(stuckDeploysViewUrl({}, 'default'), undefined);
    const url = new URL(stuckDeploysViewUrl({ DEPLOYFLOW_TEMPORAL_UI: 'http://ui.example:8233/' }, 'team a')!);
    assert.equal(url.pathname, '/namespaces/team%20a/workflows');
    assert.equal(url.searchParams.get('query'), 'DeployPhase="Stuck"');
    assert.equal(url.searchParams.get('savedQuery'), 'Stuck deploys');
  });

  test('durations and tables read well', () => {
    assert.deepEqual([formatDuration(4_400), formatDuration(65_000), formatDuration(3_720_000)], ['4s', '1m05s', '1h02m']);
    assert.equal(formatTable(['app', 'phase'], [['awesome-api', 'Stuck']]), 'APP          PHASE\nawesome-api  Stuck');
  });
});
