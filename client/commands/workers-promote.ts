// `deployctl workers promote --env E --build-id ID`: make a build of E's worker
// current, so it gets every task of deploy-E and running deploys move to it at
// their next step. Refuses what would stall or break deploys: a build no worker
// of E has polled with (nothing would run them), and, without --allow-older, a
// build older than the current one (running deploys may hold history written by
// newer code, which older code cannot replay).
import { validateEnvironmentName, workerDeploymentFor } from '../../domain/names.js';
import { promotionOf } from '../../domain/worker-versions.js';
import { noPositionals, outputFormat, parseCommand, required } from '../args.js';
import { CliError, EXIT } from '../errors.js';
import type { CliIo } from '../io.js';
import { Output } from '../output.js';
import { withTemporal } from '../temporal.js';
import { describeDeployment, setCurrentBuild } from '../worker-deployment.js';

export const promoteUsage = `deployctl workers promote --env E --build-id ID [--allow-older]

Makes build ID of environment E's worker current in the Worker Deployment
deployflow-E: new deploys and every running one (at its next step) go to the
workers of that build. Workers promote their own build when it is the newest
(deployctl worker without --no-promote); this is the way to do it by hand.
Exit 0 when ID is current, 1 when refused:
- no worker of build ID has polled deploy-E (start one first);
- ID is older than the current build (a rollback of the worker): running
  deploys may have run steps of the newer code, which older code cannot replay.
  --allow-older does it anyway, when those deploys are known to replay there.

Options:
  -e, --env E              environment (required)
      --build-id ID        the build to make current (required; deployctl workers lists them)
      --allow-older        promote even a build older than the current one
  -o, --output text|json   json: { environment, deploymentName, buildId, previous, outcome: promoted|already-current }
  -h, --help`;

export async function runPromote(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommand('workers promote', argv, {
    env: { type: 'string', short: 'e' },
    'build-id': { type: 'string' },
    'allow-older': { type: 'boolean' },
  });
  if (values.help) {
    io.stdout.write(promoteUsage + '\n');
    return 0;
  }
  const out = new Output(io, outputFormat(values.output));
  noPositionals('workers promote', positionals);
  const environment = validateEnvironmentName(required(values.env, '--env', 'workers promote'));
  const buildId = required(values['build-id'], '--build-id', 'workers promote');
  const deploymentName = workerDeploymentFor(environment);

  return withTemporal(io, async (session) => {
    const routing = await describeDeployment(session, environment);
    const previous = routing?.currentBuildId ?? null;
    const promotion = routing ? promotionOf(routing, buildId) : ({ kind: 'not-registered' } as const);
    const report = (outcome: string) => out.isJson && out.document({ environment, deploymentName, buildId, previous, outcome });
    if (promotion.kind === 'already-current') {
      report('already-current');
      out.line(`build ${buildId} is already current in ${deploymentName}`);
      return EXIT.ok;
    }
    if (promotion.kind === 'not-registered') {
      throw new CliError(`no worker of build ${buildId} has polled ${deploymentName}: start one (deployctl worker --env ${environment} --build-id ${buildId}), then promote it`, EXIT.failed);
    }
    if (promotion.kind === 'older' && !values['allow-older']) {
      throw new CliError(
        `build ${buildId} is older than the current build ${promotion.current}: running deploys may hold steps of the newer code that ${buildId} cannot replay; ` +
          'roll the worker forward instead, or pass --allow-older if they are known to replay on it',
        EXIT.failed,
      );
    }
    await setCurrentBuild(session, environment, buildId, routing?.conflictToken);
    report('promoted');
    out.line(`build ${buildId} is current in ${deploymentName}${previous ? ` (was ${previous})` : ''}`);
    return EXIT.ok;
  }, environment);
}
