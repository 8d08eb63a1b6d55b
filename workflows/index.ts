// Every workflow the workers register: the environment workers run deploy,
// reconcilePerNode and soak; the release worker runs release.
export { deploy } from './deploy.js';
export { reconcilePerNode } from './per-node.js';
export { deployQueue } from './queue.js';
export { soak } from './soak.js';
export { release } from './release.js';
