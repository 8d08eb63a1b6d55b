// The label policy in deployctl (no server): where it comes from (flag, then
// $DEPLOYFLOW_LABEL_POLICY, then the conventions), validate/render/deploy
// enforcing it before anything is contacted, the policy riding in the workflow
// input, and the pure half of `deployctl labels` (reading a deploy's history).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import yaml from 'js-yaml';
import type { ReplicationControllerManifest } from '../../domain/render.js';
import { checkDeploy } from '../../domain/check-deploy.js';
import { renderReplicationController } from '../../domain/render.js';
import { parseSpecText } from '../../client/spec-file.js';
import { prepareDeploy } from '../../client/api.js';
import { loadLabelPolicyFile, resolveLabelPolicy } from '../../client/label-policy-file.js';
import { groupBy, rcFromHistory, sortRcs, type RunningRc } from '../../client/label-inventory.js';
import type { DeployInfo } from '../../client/deploy-info.js';
import { runCli } from '../helpers/cli.js';

const root = new URL('../../', import.meta.url);
const POLICY = fileURLPath('examples/label-policy.yaml');
const exampleText = fs.readFileSync(new URL('examples/awesome-api.yaml', root), 'utf8');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'label-policy-'));
const NO_TEMPORAL = { TEMPORAL_ADDRESS: '127.0.0.1:1', DEPLOYFLOW_CONNECT_TIMEOUT: '1' };

function fileURLPath(rel: string): string {
  return new URL(rel, root).pathname;
}

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** The example spec with edits, as a file. */
function specFile(name: string, changes: Record<string, unknown>): string {
  const raw = yaml.load(exampleText) as Record<string, unknown>;
  return write(`${name}.yaml`, yaml.dump({ ...raw, ...changes }));
}

const conforming = specFile('conforming', { labels: { team: 'payments', 'cost-center': 'cc-1234' } });
const noTeam = specFile('no-team', {});
const badTier = specFile('bad-tier', { tier: 'database', labels: { team: 'payments' } });
const strayLabel = specFile('stray', { labels: { team: 'payments', pager: 'yes' } });

describe('the example policy file', () => {
  test('is a valid policy', () => {
    const p = loadLabelPolicyFile(POLICY);
    assert.deepEqual(Object.keys(p.required), ['name', 'app', 'tier', 'role', 'team']);
    assert.deepEqual(p.required.tier, { values: ['frontend', 'backend', 'worker'] });
    assert.equal(p.otherLabels, 'deny');
  });

  test('validate --label-policy FILE alone checks the policy and describes it', async () => {
    const r = await runCli(['validate', '--label-policy', POLICY]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^ok label policy ${POLICY}`));
    assert.match(r.stdout, /tier \(required\): frontend \| backend \| worker/);
    assert.match(r.stdout, /other labels: denied/);
  });
});

describe('where the policy comes from', () => {
  test('no flag, no environment: the conventions', () => {
    assert.equal(resolveLabelPolicy(undefined, {}).source, 'default');
    assert.equal(resolveLabelPolicy('', { DEPLOYFLOW_LABEL_POLICY: '' }).source, 'default');
  });

  test('$DEPLOYFLOW_LABEL_POLICY, then --label-policy wins over it', async () => {
    const loose = write('loose.yaml', 'required: []\n');
    assert.equal(resolveLabelPolicy(undefined, { DEPLOYFLOW_LABEL_POLICY: POLICY }).file, POLICY);
    assert.equal(resolveLabelPolicy(loose, { DEPLOYFLOW_LABEL_POLICY: POLICY }).file, loose);

    const viaEnv = await runCli(['validate', noTeam], { DEPLOYFLOW_LABEL_POLICY: POLICY });
    assert.equal(viaEnv.code, 2);
    const flagWins = await runCli(['validate', '--label-policy', loose, noTeam], { DEPLOYFLOW_LABEL_POLICY: POLICY });
    assert.equal(flagWins.code, 0, flagWins.stdout + flagWins.stderr);
    const none = await runCli(['validate', noTeam]);
    assert.equal(none.code, 0, 'without a policy the seed conventions apply');
  });

  test('a broken policy file is invalid input naming the file and the path in it', async () => {
    const broken = write('broken.yaml', 'required:\n  tier: { values: [frontend, "back end"] }\n  team: { pattern: "(" }\n');
    const r = await runCli(['validate', '--label-policy', broken, conforming]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, new RegExp(`${broken}:required\\.tier\\.values\\[1\\]: must be a non-empty valid label value`));
    assert.match(r.stderr, new RegExp(`${broken}:required\\.team\\.pattern: is not a valid regular expression`));
  });

  test('a missing or unparsable policy file is invalid input', async () => {
    const missing = await runCli(['validate', '--label-policy', path.join(dir, 'nope.yaml'), conforming]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such label policy file/);
    const garbled = await runCli(['validate', '--label-policy', write('garbled.yaml', 'required: [unclosed\n'), conforming]);
    assert.equal(garbled.code, 2);
    assert.match(garbled.stderr, /is not valid YAML \(line \d+, column \d+\)/);
  });
});

describe('deployctl validate with a policy', () => {
  test('conforming spec: ok', async () => {
    const r = await runCli(['validate', '--label-policy', POLICY, conforming]);
    assert.equal(r.code, 0, r.stdout);
    assert.equal(r.stdout, `ok ${conforming}\n`);
  });

  test('every breach named by field, with the policy in the rule; exit 2', async () => {
    const r = await runCli(['validate', '--label-policy', POLICY, noTeam, badTier, strayLabel]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /labels\.team: is required \(label policy: the owning team, as named in the on-call rota\)/);
    assert.match(r.stdout, /tier: must be one of frontend, backend, worker \(label policy\)/);
    assert.match(r.stdout, /labels\.pager: is not allowed by the label policy; it allows team, cost-center/);
  });

  test('json: the policy issues in each file report', async () => {
    const r = await runCli(['validate', '--label-policy', POLICY, '-f', conforming, '-f', badTier, '-o', 'json']);
    assert.equal(r.code, 2);
    const reports = r.json<Array<{ ok: boolean; issues: Array<{ field: string; rule: string }> }>>();
    assert.deepEqual(reports.map((x) => x.ok), [true, false]);
    assert.deepEqual(reports[1]!.issues, [{ field: 'tier', rule: 'must be one of frontend, backend, worker (label policy)' }]);
  });

  test('spec errors still come first: a policy never hides them', async () => {
    const broken = specFile('broken-spec', { replicas: -1 });
    const r = await runCli(['validate', '--label-policy', POLICY, broken]);
    assert.equal(r.code, 2);
    assert.match(r.stdout, /replicas: must be >= 0/);
  });
});

describe('deployctl render and deploy enforce the policy before contacting anything', () => {
  test('render refuses a breaching spec (exit 2) and renders a conforming one with its labels', async () => {
    const refused = await runCli(['render', '-f', badTier, '--env', 'production', '--image', ':1.0.0', '--label-policy', POLICY]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /tier: must be one of frontend, backend, worker \(label policy\)/);

    const r = await runCli(['render', '-f', conforming, '--env', 'production', '--image', ':1.0.0', '-o', 'json'], { DEPLOYFLOW_LABEL_POLICY: POLICY });
    assert.equal(r.code, 0, r.stderr);
    const rc = r.json<ReplicationControllerManifest>();
    assert.equal(rc.spec.template.metadata.labels.team, 'payments');
    assert.equal(rc.spec.template.metadata.labels['cost-center'], 'cc-1234');
  });

  test('deploy refuses a breaching spec with exit 2 even though Temporal is unreachable', async () => {
    const r = await runCli(['deploy', '-f', noTeam, '--env', 'production', '--image', ':1.0.0', '--label-policy', POLICY, '-o', 'json'], NO_TEMPORAL);
    assert.equal(r.code, 2, r.stderr);
    const { error } = r.json<{ error: { exitCode: number; issues: Array<{ field: string }> } }>();
    assert.equal(error.exitCode, 2);
    assert.deepEqual(error.issues.map((i) => i.field), ['labels.team']);
  });

  test('a conforming deploy gets as far as connecting (exit 4 here)', async () => {
    const r = await runCli(['deploy', '-f', conforming, '--env', 'production', '--image', ':1.0.0', '--label-policy', POLICY], NO_TEMPORAL);
    assert.equal(r.code, 4, r.stderr);
  });

  test('the policy rides in the workflow input; without one the input is as before', () => {
    const policy = loadLabelPolicyFile(POLICY);
    const spec = parseSpecText(fs.readFileSync(conforming, 'utf8'));
    const withPolicy = prepareDeploy({ spec, environment: 'production', image: ':1.0.0', labelPolicy: policy });
    assert.deepEqual(withPolicy.input.labelPolicy, policy);
    assert.deepEqual(JSON.parse(JSON.stringify(withPolicy.input.labelPolicy)), policy, 'plain JSON, as Temporal serialises it');
    const without = prepareDeploy({ spec, environment: 'production', image: ':1.0.0' });
    assert.equal('labelPolicy' in without.input, false);
    assert.throws(() => prepareDeploy({ spec: parseSpecText(exampleText), environment: 'production', image: ':1.0.0', labelPolicy: policy }), /labels\.team: is required/);
  });
});

describe('deployctl labels: reading a deploy history', () => {
  const spec = parseSpecText(fs.readFileSync(conforming, 'utf8'));
  const manifest = renderReplicationController({
    spec, environment: 'production', image: 'registry.example/awesome-api:1.0.0', revision: 4, requestedBy: 'me', workflowId: 'w', replicas: 3,
  });
  const info: DeployInfo = {
    workflowId: 'deploy/production/default/awesome-api', runId: 'r1', app: 'awesome-api', environment: 'production', namespace: 'default',
    image: 'registry.example/awesome-api:1.0.0', phase: 'Succeeded', requestedBy: 'me', status: 'COMPLETED', startTime: '2026-01-01T00:00:00.000Z',
    closeTime: '2026-01-01T00:01:00.000Z',
  };
  // Payloads stand in as the decoded values themselves: the decoder is the identity.
  const payload = (v: unknown) => v as never;
  const decode = (p: unknown) => p;
  const history = (withRender: boolean) => ({
    events: [
      { eventId: 1, workflowExecutionStartedEventAttributes: { input: { payloads: [payload({ spec, environment: 'production', image: info.image })] } } },
      ...(withRender
        ? [
            { eventId: 7, activityTaskScheduledEventAttributes: { activityType: { name: 'listReplicationControllers' } } },
            { eventId: 9, activityTaskScheduledEventAttributes: { activityType: { name: 'renderReplicationController' } } },
            { eventId: 10, activityTaskCompletedEventAttributes: { scheduledEventId: 7, result: { payloads: [payload([])] } } },
            { eventId: 11, activityTaskCompletedEventAttributes: { scheduledEventId: 9, result: { payloads: [payload(manifest)] } } },
          ]
        : []),
      { eventId: 30, workflowExecutionCompletedEventAttributes: { result: { payloads: [payload({ outcome: 'Succeeded', rc: manifest.metadata.name, revision: 4 })] } } },
    ],
  });

  test('the applied manifest gives the RC, its replicas, image and every pod label (no deployflow labels)', () => {
    const rc = rcFromHistory(history(true) as never, info, decode)!;
    assert.equal(rc.rc, manifest.metadata.name);
    assert.equal(rc.revision, 4);
    assert.equal(rc.replicas, 3);
    assert.equal(rc.image, 'registry.example/awesome-api:1.0.0');
    assert.deepEqual(rc.labels, {
      name: 'awesome-api', app: 'awesome', tier: 'backend', role: 'api', language: 'nodejs', 'cost-center': 'cc-1234', team: 'payments',
    });
  });

  test('without a rendered manifest, the input spec gives the same answer', () => {
    const fromInput = rcFromHistory(history(false) as never, info, decode)!;
    const fromManifest = rcFromHistory(history(true) as never, info, decode)!;
    assert.deepEqual(fromInput, fromManifest);
  });

  test('a local admission (a marker, on deploys since local calls) gives the checked value, its template labels', () => {
    const checked = checkDeploy({ spec, image: info.image, environment: 'production' });
    const marker = (activityType: string, result: unknown) => ({
      markerRecordedEventAttributes: { markerName: 'core_local_activity', details: { data: { payloads: [payload({ activity_type: activityType })] }, result: { payloads: [payload(result)] } } },
    });
    const local = {
      events: [
        { eventId: 1, workflowExecutionStartedEventAttributes: { input: { payloads: [payload({ spec: { ...spec, name: 'not-this' }, environment: 'production', image: 'x' })] } } },
        { eventId: 6, ...marker('listReplicationControllers', []) },
        { eventId: 7, ...marker('admitDeploy', { ...checked, spec: { ...checked.spec, replicas: 5 } }) },
        { eventId: 30, workflowExecutionCompletedEventAttributes: { result: { payloads: [payload({ outcome: 'Succeeded', rc: checked.rcName, revision: 2 })] } } },
      ],
    };
    const rc = rcFromHistory(local as never, info, decode)!;
    assert.equal(rc.rc, checked.rcName);
    assert.equal(rc.replicas, 5, 'from the marker, not the input');
    assert.equal(rc.labels.team, 'payments');
  });

  test('grouped by label like the seed groups metrics, counting RCs and pods', () => {
    const rc = (name: string, tier: string, role: string, replicas: number, language?: string): RunningRc => ({
      environment: 'production', namespace: 'default', rc: `${name}-0000000a`, replicas, image: 'x', workflowId: name, runId: 'r', requestedBy: 'me',
      labels: { name, app: 'awesome', tier, role, ...(language && { language }) },
    });
    const rcs = sortRcs([rc('awesome-frontend', 'frontend', 'web', 2), rc('awesome-api', 'backend', 'api', 3, 'nodejs'), rc('awesome-worker', 'backend', 'worker', 1, 'nodejs')]);
    assert.deepEqual(rcs.map((r) => r.labels.name), ['awesome-api', 'awesome-worker', 'awesome-frontend']);
    assert.deepEqual(groupBy(rcs, 'tier').map((g) => [g.value, g.rcs, g.pods]), [['backend', 2, 4], ['frontend', 1, 2]]);
    assert.deepEqual(groupBy(rcs, 'language').map((g) => [g.value, g.rcs, g.pods]), [['nodejs', 2, 4], ['(none)', 1, 2]]);
    assert.deepEqual(groupBy(rcs, 'app'), [{ value: 'awesome', rcs: 3, pods: 6, names: ['awesome-api-0000000a', 'awesome-worker-0000000a', 'awesome-frontend-0000000a'] }]);
  });

  test('labels --help says where the data comes from', async () => {
    const r = await runCli(['labels', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Temporal, not the cluster/);
    assert.match(r.stdout, /DeployPhase=Succeeded/);
  });

  test('labels: bad flags are usage errors before connecting', async () => {
    assert.equal((await runCli(['labels'], NO_TEMPORAL)).code, 2);
    assert.equal((await runCli(['labels', '--env', 'production', '--group-by', 'bad key'], NO_TEMPORAL)).code, 2);
    assert.equal((await runCli(['labels', '--env', 'production', '--namespace', 'Bad_NS'], NO_TEMPORAL)).code, 2);
  });
});
