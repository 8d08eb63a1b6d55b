// Every workflow the worker registers.
export { deploy } from './deploy.js';
export { reconcilePerNode } from './per-node.js';
export { deployQueue } from './queue.js';
