// The rollout matrix: replicas × surge × repeats, both systems per repeat,
// alternating which goes first so drift in the machine's load hits both.
import type { Surge } from './config.js';
import { measureRollout, type RolloutContext, type RolloutSample } from './measure-rollout.js';
import type { System } from './system.js';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export async function runRolloutSuite(
  ctx: RolloutContext,
  systems: [System, System],
  save: (sample: RolloutSample) => void,
): Promise<void> {
  const { cfg } = ctx;
  for (const replicas of cfg.replicas) {
    for (const surge of cfg.surges) {
      const repeats = cfg.repeats(replicas, surge);
      for (let repeat = 0; repeat < repeats; repeat++) {
        const order = repeat % 2 === 0 ? systems : ([systems[1], systems[0]] as const);
        for (const system of order) {
          log(`rollout ${system.name}: ${replicas} replicas, surge ${surge}, repeat ${repeat + 1}/${repeats}`);
          const sample = await measureRollout(ctx, system, replicas, surge as Surge, repeat);
          log(
            `  wall ${(sample.wallMs / 1000).toFixed(2)}s (reported ${(sample.reportedMs / 1000).toFixed(2)}s, floor ${(sample.floorMs / 1000).toFixed(1)}s), ` +
              `requests ${JSON.stringify(sample.orchestratorByVerb)}`,
          );
          save(sample);
        }
      }
    }
  }
}
