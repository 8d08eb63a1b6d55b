// npm run stack:up | stack:down | stack:status
import { componentHealth, describeHealth, down, infoOf, readState, up } from './lifecycle.js';
import { kubectl } from './nodes.js';

async function main(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const info = await up();
      console.log(`kubeconfig:   ${info.kubeconfig}`);
      console.log(`Temporal:     ${info.temporalAddress}`);
      console.log(`Temporal UI:  ${info.uiUrl}   (decodes payloads through the codec server ${info.codecUrl})`);
      console.log(`env file:     ${info.envFile}   (set -a; . ${info.envFile}; set +a)`);
      return 0;
    }
    case 'down':
      await down();
      return 0;
    case 'status': {
      const state = readState();
      if (!state) {
        console.log('stack: not running');
        return 1;
      }
      const health = await componentHealth(state);
      const info = infoOf(state);
      console.log(`stack: ${describeHealth(health)}`);
      console.log(`Temporal ${info.temporalAddress}, UI ${info.uiUrl}, kubeconfig ${info.kubeconfig}`);
      if (health['kube-apiserver']) console.log(await kubectl(info.binDir, info.kubeconfig, ['get', 'nodes']));
      return Object.values(health).every(Boolean) ? 0 : 1;
    }
    default:
      console.error('usage: tsx stack/cli.ts up|down|status');
      return 2;
  }
}

main(process.argv[2]).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
