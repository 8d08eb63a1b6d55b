// Cluster credentials follow kubeconfig conventions: --kubeconfig, then
// $KUBECONFIG, then ~/.kube/config, then the in-cluster service account.
import { KubeConfig } from '@kubernetes/client-node';

export function loadKubeConfig(options: { kubeconfig?: string; context?: string }): KubeConfig {
  const kc = new KubeConfig();
  if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
  else kc.loadFromDefault();
  if (options.context) {
    if (!kc.getContexts().some((c) => c.name === options.context)) {
      const known = kc.getContexts().map((c) => c.name).join(', ') || 'none';
      throw new Error(`--context ${options.context}: no such context in the kubeconfig (known: ${known})`);
    }
    kc.setCurrentContext(options.context);
  }
  if (!kc.getCurrentCluster()) throw new Error('no cluster configured: set --kubeconfig, KUBECONFIG or run inside a cluster');
  return kc;
}
