// The Slack app's pure parts: the permission model (a table), the /deploy
// text, the requester string, the replay guard, the message (buttons and
// confirmations), and the config (secrets never inline, never printed).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import yaml from 'js-yaml';
import { InvalidSpecError } from '../../domain/errors.js';
import { decide, parsePermissions, type Actor, type SlackAction } from '../../client/slack/permissions.js';
import { parseCommandText } from '../../client/slack/command-text.js';
import { slackRequester, slackUserOf } from '../../client/slack/requester.js';
import { ReplayGuard } from '../../client/slack/replay-guard.js';
import { parseButtonValue, renderDeployMessage, type DeployView } from '../../client/slack/message.js';
import { loadSlackConfig, parseSlackConfig } from '../../client/slack/config.js';
import type { DeployProgress } from '../../workflows/messages.js';

const examples = new URL('../../examples/slack/', import.meta.url);
const examplePermissions = parsePermissions((yaml.load(fs.readFileSync(new URL('deployflow-slack.yaml', examples), 'utf8')) as { permissions: unknown }).permissions);

const alice: Actor = { userId: 'U0ALICE', groups: new Set() };
const bob: Actor = { userId: 'U0BOB', groups: new Set(['platform']) };
const carol: Actor = { userId: 'U0ONCALL1', groups: new Set(['oncall']) };

describe('slack permissions (examples/slack/deployflow-slack.yaml)', () => {
  const table: Array<[string, Actor, SlackAction, string, string | undefined, true | RegExp]> = [
    ['anyone deploys to staging', alice, 'deploy', 'staging', undefined, true],
    ['anyone approves in dev', alice, 'approve', 'dev', 'slack:U0BOB (bob)', true],
    ['nobody approves their own deploy', alice, 'approve', 'dev', 'slack:U0ALICE (alice)', /rule no-self-approval: nobody approves their own deploy/],
    ['platform deploys to production', bob, 'deploy', 'production', undefined, true],
    ['platform approves a production deploy of someone else', bob, 'approve', 'production', 'slack:U0ALICE (alice)', true],
    ['not even platform approves its own', bob, 'approve', 'production', 'slack:U0BOB (bob)', /no-self-approval/],
    ['anyone may not deploy to production', alice, 'deploy', 'production', undefined, /<@U0ALICE> may not deploy in production: no rule grants it; rule platform-runs-production allows it for @platform/],
    ['oncall rolls production back', carol, 'rollback', 'production', undefined, true],
    ['oncall may not approve production', carol, 'approve', 'production', 'slack:U0BOB (bob)', /rule platform-runs-production allows it for @platform/],
    ['anyone sees production', alice, 'status', 'production', undefined, true],
    ['an environment no rule names', bob, 'deploy', 'qa', undefined, /may not deploy in qa: no rule grants it$/],
    ['a CI requester is nobody on Slack', alice, 'approve', 'staging', 'ci-bot', true],
  ];
  for (const [name, actor, action, env, requester, expected] of table) {
    test(name, () => {
      const verdict = decide(examplePermissions, actor, action, env, requester);
      if (expected === true) assert.equal(verdict.allowed, true, JSON.stringify(verdict));
      else {
        assert.equal(verdict.allowed, false);
        assert.match((verdict as { message: string }).message, expected);
      }
    });
  }

  test('the rule that granted is named', () => {
    assert.deepEqual(decide(examplePermissions, bob, 'deploy', 'production'), { allowed: true, rule: 'platform-runs-production' });
  });

  test('a bad permissions block names every problem', () => {
    assert.throws(
      () =>
        parsePermissions({
          groups: { platform: { usergroup: 'not-an-id' }, Empty: {} },
          rules: [
            { name: 'r', who: ['@nobody', 'alice'], environments: ['dev'], actions: ['deploy', 'destroy'] },
            { name: 'r', who: ['anyone'], environments: [], actions: ['status'] },
          ],
          selfApproval: 'no',
          extra: 1,
        }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidSpecError);
        const fields = err.issues.map((i) => `${i.field}: ${i.rule}`).join('\n');
        for (const expected of [
          'permissions.extra: is not a known key',
          'permissions.groups.platform.usergroup: must be a Slack user group id',
          'permissions.groups.Empty: group names are lowercase',
          'permissions.groups.Empty: needs a usergroup or users',
          'permissions.rules[0].who[0]: group @nobody is not defined under groups',
          'permissions.rules[0].who[1]: must be anyone, @group or a Slack user id',
          'permissions.rules[0].actions[1]: must be one of deploy, status, approve',
          'permissions.rules[1].name: "r" is used twice',
          'permissions.rules[1].environments: must be a non-empty list',
          'permissions.selfApproval: must be true or false',
        ]) {
          assert.ok(fields.includes(expected), `missing "${expected}" in:\n${fields}`);
        }
        return true;
      },
    );
  });

  test('no rules means nothing is allowed, and says so', () => {
    assert.throws(() => parsePermissions({ rules: [] }), /nothing is allowed without a rule/);
  });
});

describe('/deploy text', () => {
  const table: Array<[string, unknown]> = [
    ['awesome-api dev :1.1.0', { kind: 'deploy', app: 'awesome-api', environment: 'dev', image: ':1.1.0' }],
    ['  awesome-api   dev   registry.example/awesome-api:1.1.0 ', { kind: 'deploy', app: 'awesome-api', environment: 'dev', image: 'registry.example/awesome-api:1.1.0' }],
    ['status awesome-api production', { kind: 'status', app: 'awesome-api', environment: 'production' }],
    ['rollback awesome-api production 1.4 leaks memory', { kind: 'operator', command: 'rollback', app: 'awesome-api', environment: 'production', reason: '1.4 leaks memory' }],
    ['approve awesome-api staging', { kind: 'operator', command: 'approve', app: 'awesome-api', environment: 'staging' }],
    ['', { kind: 'help' }],
    ['help', { kind: 'help' }],
  ];
  for (const [text, expected] of table) {
    test(`"${text}"`, () => assert.deepEqual(parseCommandText(text), { ok: true, command: expected }));
  }
  for (const [text, message] of [
    ['awesome-api dev', /is not a command I know/],
    ['status awesome-api', /`\/deploy status` takes <app> <env>/],
    ['retry awesome-api', /takes <app> <env> \[reason\]/],
    ['release awesome-api 1.2', /releases are not available from Slack yet/],
  ] as const) {
    test(`"${text}" is refused with usage`, () => {
      const parsed = parseCommandText(text);
      assert.equal(parsed.ok, false);
      assert.match((parsed as { message: string }).message, message);
    });
  }
});

describe('slack requester', () => {
  test('id and a cleaned name; the id reads back', () => {
    assert.equal(slackRequester('U123', 'alice'), 'slack:U123 (alice)');
    assert.equal(slackRequester('U123', 'al<ice>`*'), 'slack:U123 (alice)');
    assert.equal(slackRequester('U123'), 'slack:U123');
    assert.equal(slackUserOf('slack:U123 (alice)'), 'U123');
    assert.equal(slackUserOf('slack:U123'), 'U123');
    assert.equal(slackUserOf('alice'), undefined);
    assert.equal(slackUserOf('slack:U123x (a)'), undefined);
  });
});

describe('replay guard', () => {
  const now = 1_800_000_000_000;
  const headers = (ts: number, body = 'x') => ({
    'x-slack-request-timestamp': String(ts),
    'x-slack-signature': 'v0=' + createHmac('sha256', 'secret').update(`v0:${ts}:${body}`).digest('hex'),
  });
  test('a signature is accepted once; the same one again is a replay', () => {
    const guard = new ReplayGuard();
    const h = headers(now / 1000);
    assert.deepEqual(guard.check(h, now), { ok: true });
    assert.deepEqual(guard.check(h, now + 1000), { ok: false, reason: 'replayed request' });
    assert.deepEqual(guard.check(headers(now / 1000, 'y'), now), { ok: true });
  });
  test('unsigned, malformed, too old and from the future are refused', () => {
    const guard = new ReplayGuard();
    assert.deepEqual(guard.check({}, now), { ok: false, reason: 'unsigned request' });
    assert.deepEqual(guard.check({ 'x-slack-request-timestamp': 'soon', 'x-slack-signature': 'v0=00' }, now), { ok: false, reason: 'malformed signature headers' });
    assert.match((guard.check(headers(now / 1000 - 301), now) as { reason: string }).reason, /outside the 5-minute window/);
    assert.match((guard.check(headers(now / 1000 + 301), now) as { reason: string }).reason, /outside the 5-minute window/);
    assert.deepEqual(guard.check(headers(now / 1000 - 299), now), { ok: true });
  });
});

function progress(overrides: Partial<DeployProgress>): DeployProgress {
  return {
    workflowId: 'deploy/production/default/awesome-api',
    app: 'awesome-api',
    namespace: 'default',
    environment: 'production',
    image: 'registry.example/awesome-api:2.0.0-never-ready',
    requestedBy: 'slack:U0BOB (bob)',
    phase: 'RollingOut',
    step: 1,
    totalSteps: 3,
    desired: 3,
    newRc: { name: 'awesome-api-abc', revision: 2, replicas: 1, available: 0 },
    oldRcs: [{ name: 'awesome-api-def', revision: 1, replicas: 3, available: 3 }],
    paused: false,
    approval: 'none',
    nextActions: ['pause', 'rollback'],
    actions: [],
    ...overrides,
  };
}

describe('deploy message', () => {
  const base = { workflowId: 'deploy/production/default/awesome-api', runId: '0195f0c4-1111-7222-8333-944445555666', app: 'awesome-api', environment: 'production' };
  const buttons = (view: DeployView, confirm: boolean) => {
    const actions = renderDeployMessage(view, { confirm, buttons: true, uiUrl: 'http://ui/run' }).blocks.find((b) => b.type === 'actions');
    return (actions as { elements: Array<{ action_id: string; value: string; confirm?: unknown }> } | undefined)?.elements ?? [];
  };

  test('stuck: the pods reason, Retry and Roll back, each confirmed in production', () => {
    const view: DeployView = {
      ...base,
      snapshot: {
        progress: progress({ phase: 'Stuck', nextActions: ['retry', 'rollback'], lastError: { type: 'RolloutStalled', message: 'no progress', reason: 'ImagePullBackOff', at: '' } }),
        pods: { total: 1, ready: 0, available: 0, terminating: 0, problems: [{ pod: 'awesome-api-abc-x', reason: 'ImagePullBackOff', message: 'cannot pull' }] },
      },
    };
    const message = renderDeployMessage(view, { confirm: true, buttons: true, uiUrl: 'http://ui/run' });
    const text = JSON.stringify(message.blocks);
    assert.match(text, /Stuck · step 1\/3/);
    assert.match(text, /awesome-api-abc-x: ImagePullBackOff/);
    assert.match(text, /<http:\/\/ui\/run\|Open in Temporal>/);
    assert.doesNotMatch(text, /deployctl retry/, 'buttons, not command hints');
    const els = buttons(view, true);
    assert.deepEqual(els.map((e) => e.action_id), ['deployflow_retry', 'deployflow_rollback']);
    assert.ok(els.every((e) => e.confirm), 'production asks for confirmation on every button');
    assert.deepEqual(parseButtonValue(els[0]!.value), { w: base.workflowId, r: base.runId });
    assert.equal(message.text, 'awesome-api → production: Stuck · step 1/3 (registry.example/awesome-api:2.0.0-never-ready)');
  });

  test('outside production only Roll back asks; pause is no button; approve at a gate', () => {
    const rolling: DeployView = { ...base, environment: 'dev', snapshot: { progress: progress({}) } };
    assert.deepEqual(buttons(rolling, false).map((e) => [e.action_id, Boolean(e.confirm)]), [['deployflow_rollback', true]]);
    const gate: DeployView = { ...base, environment: 'dev', snapshot: { progress: progress({ phase: 'AwaitingApproval', nextActions: ['approve', 'rollback'] }) } };
    assert.deepEqual(buttons(gate, false).map((e) => [e.action_id, Boolean(e.confirm)]), [['deployflow_approve', false], ['deployflow_rollback', true]]);
  });

  test('after the end: the outcome, no buttons', () => {
    const done: DeployView = {
      ...base,
      snapshot: { progress: progress({ phase: 'RolledBack', nextActions: [] }) },
      result: { outcome: 'RolledBack', workflowId: base.workflowId, environment: 'production', namespace: 'default', app: 'awesome-api', image: 'registry.example/awesome-api:2.0.0-never-ready', steps: 1, message: 'rolled back: rollback requested by slack:U0BOB (bob)', reason: 'OperatorRollback' },
    };
    const message = renderDeployMessage(done, { confirm: true, buttons: true });
    assert.equal(buttons(done, true).length, 0);
    assert.match(JSON.stringify(message.blocks), /\*RolledBack\*: rolled back: rollback requested by slack:U0BOB \(bob\) \(OperatorRollback\)/);
  });

  test('button values that are not ours are refused', () => {
    for (const v of [undefined, '', 'x', '{"w":1,"r":"x"}', JSON.stringify({ w: 'a', r: 'not-a-run-id' })]) assert.equal(parseButtonValue(v), undefined, String(v));
  });
});

describe('slack config', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'slack-config-'));
  const file = path.join(tmp, 'slack.yaml');
  const env = { SLACK_BOT_TOKEN: 'xoxb-test-token-1234', SLACK_SIGNING_SECRET: 'signing-secret-5678' };

  test('the example config loads; secrets come from the environment and never print', () => {
    const config = loadSlackConfig({ config: fileOf(new URL('deployflow-slack.yaml', examples)) }, env);
    assert.equal(config.command, '/deploy');
    assert.equal(config.taskQueue, 'slack');
    assert.ok(fs.existsSync(path.join(config.specDir, 'awesome-api.yaml')));
    assert.equal(config.botToken.reveal(), env.SLACK_BOT_TOKEN);
    const printed = JSON.stringify(config) + inspect(config) + String(config.signingSecret);
    assert.ok(!printed.includes(env.SLACK_BOT_TOKEN) && !printed.includes(env.SLACK_SIGNING_SECRET), printed);
  });

  test('secrets from files; inline secrets and missing ones are refused by name', () => {
    fs.writeFileSync(path.join(tmp, 'token'), 'xoxb-from-file\n');
    const raw = { specDir: '.', botTokenFile: 'token', permissions: { rules: [{ name: 'all', who: ['anyone'], environments: ['*'], actions: ['status'] }] } };
    const config = parseSlackConfig(raw, { file, env: { SLACK_SIGNING_SECRET: 's' } });
    assert.equal(config.botToken.reveal(), 'xoxb-from-file');
    assert.throws(
      () => parseSlackConfig({ ...raw, botToken: 'xoxb-inline', botTokenFile: undefined }, { file, env: {} }),
      (err: unknown) => {
        assert.ok(err instanceof InvalidSpecError);
        const text = err.issues.map((i) => `${i.field}: ${i.rule}`).join('\n');
        assert.match(text, /botToken: secrets do not belong in the config file/);
        assert.match(text, /signingSecret: is required: set SLACK_SIGNING_SECRET, SLACK_SIGNING_SECRET_FILE or signingSecretFile/);
        assert.ok(!text.includes('xoxb-inline'), 'the refused secret is not echoed');
        return true;
      },
    );
  });
});

function fileOf(url: URL): string {
  return decodeURIComponent(url.pathname);
}
