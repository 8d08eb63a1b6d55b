// The one way tests get the real stack: reuse a running one or bring it up.
// A stack that cannot come up fails the test (up() prints every component log).
import { KubeConfig } from '@kubernetes/client-node';
import { up, type StackInfo } from '../../stack/lifecycle.js';

let pending: Promise<StackInfo> | undefined;

export function useStack(): Promise<StackInfo> {
  pending ??= up().then((info) => {
    process.env.KUBECONFIG = info.kubeconfig;
    process.env.TEMPORAL_ADDRESS = info.temporalAddress;
    process.env.TEMPORAL_NAMESPACE = 'default';
    // Tests encrypt like everything else on the stack (codec/data-converter.ts reads this).
    process.env.DEPLOYFLOW_CODEC_KEYS = info.state.codecKeys;
    return info;
  });
  return pending;
}

export function stackKubeConfig(info: StackInfo): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(info.kubeconfig);
  return kc;
}
