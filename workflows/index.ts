// Every workflow the workers register: the environment workers run deploy,
// reconcilePerNode, deployQueue, queuedDeploy and soak; the release worker runs release.
export { deploy } from './deploy.js';
export { reconcilePerNode } from './per-node.js';
export { deployQueue } from './queue.js';
export { queuedDeploy } from './queued-deploy.js';
export { soak } from './soak.js';
export { release } from './release.js';
