// `deployctl release` refuses bad input before contacting anything (exit 2,
// naming the flag and the rule), and its subcommands need a release to name.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { releaseListQuery } from '../../client/commands/release-operate.js';

// Nothing listens here: a command that got as far as connecting would exit 4, not 2.
const NOWHERE = { TEMPORAL_ADDRESS: '127.0.0.1:1', DEPLOYFLOW_CONNECT_TIMEOUT: '1' };
const SPEC = 'examples/awesome-api.yaml';

describe('deployctl release: bad input is exit 2 before any connection', () => {
  const cases: [string, string[], RegExp][] = [
    ['no --through', ['-f', SPEC, '--image', ':1.0.0'], /--through is required/],
    ['a bad soak', ['-f', SPEC, '--image', ':1.0.0', '--through', 'staging', '--soak', 'soon'], /--soak: must be a duration/],
    ['approve outside --through', ['-f', SPEC, '--image', ':1.0.0', '--through', 'staging', '--approve', 'production'], /--approve: production is not one of --through/],
    ['an unknown --on-failure', ['-f', SPEC, '--image', ':1.0.0', '--through', 'staging', '--on-failure', 'undo'], /--on-failure: must be rollback or stop/],
    ['an image of another repository', ['-f', SPEC, '--image', 'evil.example/x:1', '--through', 'staging'], /image/],
    ['status without --image', ['status', 'awesome-api'], /--image is required with an app name/],
    ['list with an unknown phase', ['list', '--phase', 'Soaked'], /--phase must be one of/],
  ];
  for (const [name, args, message] of cases) {
    test(name, async () => {
      const run = await runCli(['release', ...args], NOWHERE);
      assert.equal(run.code, 2, run.stderr);
      assert.match(run.stderr, message);
    });
  }

  test('a good request gets as far as Temporal (exit 4 here, naming the address)', async () => {
    const run = await runCli(['release', '-f', SPEC, '--image', ':1.0.0', '--through', 'staging,production', '--soak', '20s', '--approve', 'production'], NOWHERE);
    assert.equal(run.code, 4, run.stderr);
    assert.match(run.stderr, /cannot reach Temporal at 127\.0\.0\.1:1/);
  });

  test('"releases waiting for approval" is one visibility query', () => {
    assert.equal(releaseListQuery({ phase: 'AwaitingApproval' }), "WorkflowType = 'release' AND ReleasePhase = 'AwaitingApproval'");
    assert.throws(() => releaseListQuery({ app: "a'b" }), /--app must not contain quotes/);
  });
});
