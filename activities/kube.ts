// The cluster handle activities receive: one KubeConfig and the clients made from it.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';

export interface Kube {
  config: KubeConfig;
  core: CoreV1Api;
  watch: Watch;
}

export function kubeFromConfig(config: KubeConfig): Kube {
  return { config, core: config.makeApiClient(CoreV1Api), watch: new Watch(config) };
}
