// npm run stack:up | stack:down | stack:status [-- --topology production]
// npm run stack:token -- PRINCIPAL      (production topology: a fresh JWT for PRINCIPAL)
import { parseArgs } from 'node:util';
import { componentHealth, describeHealth, down, infoOf, readState, up } from './lifecycle.js';
import { kubectl } from './nodes.js';
import { isPrincipal, mintToken, PRINCIPALS } from './jwt.js';
import { ENVIRONMENTS, clusterState, describe, downProduction, productionHealth, readProductionState, upProduction, uiUrl, temporalAddress } from './production.js';
import { productionFiles } from './production-layout.js';
import { stackFiles } from './layout.js';
import { clusterDir } from './production-layout.js';

const USAGE = 'usage: tsx stack/cli.ts up|down|status [--topology dev|production] | token PRINCIPAL';

async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({ args: argv, allowPositionals: true, options: { topology: { type: 'string', default: 'dev' } } });
  const [command, ...rest] = positionals;
  if (command === 'token') return token(rest[0]);
  if (values.topology === 'production') return production(command);
  if (values.topology !== 'dev') {
    console.error(`unknown topology "${values.topology}" (dev or production)\n${USAGE}`);
    return 2;
  }
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
      console.error(USAGE);
      return 2;
  }
}

async function production(command: string | undefined): Promise<number> {
  switch (command) {
    case 'up': {
      const info = await upProduction();
      console.log(`Temporal:     ${info.temporalAddress} (JWT authorization; namespaces ${ENVIRONMENTS.join(', ')})`);
      console.log(`Temporal UI:  ${info.uiUrl}`);
      console.log(`env file:     ${info.envFile}   (set -a; . ${info.envFile}; set +a)`);
      return 0;
    }
    case 'down':
      await downProduction();
      return 0;
    case 'status': {
      const state = readProductionState();
      if (!state) {
        console.log('production topology: not running');
        return 1;
      }
      const health = await productionHealth(state);
      console.log(`production topology: ${describe(health)}`);
      console.log(`Temporal ${temporalAddress(state)}, UI ${uiUrl(state)}`);
      for (const environment of ENVIRONMENTS) {
        const cluster = clusterState(environment);
        const kubeconfig = stackFiles(clusterDir(productionFiles(), environment)).kubeconfig;
        if (cluster && health[`${environment}/kube-apiserver`]) console.log(`${environment}:\n${await kubectl(cluster.binDir, kubeconfig, ['get', 'nodes'])}`);
      }
      return Object.values(health).every(Boolean) ? 0 : 1;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

async function token(principal: string | undefined): Promise<number> {
  if (!principal || !isPrincipal(principal)) {
    console.error(`stack token: name a principal: ${Object.keys(PRINCIPALS).join(', ')}`);
    return 2;
  }
  if (!readProductionState()) {
    console.error('stack token: the production topology is not running (npm run stack:up -- --topology production)');
    return 1;
  }
  console.log(await mintToken(productionFiles().keys, principal));
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
