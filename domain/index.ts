// Everything pure that workflows, activities and the client share.
export * from './errors.js';
export * from './hash.js';
export * from './image.js';
export * from './int-or-percent.js';
export * from './label-policy.js';
export * from './labels.js';
export * from './names.js';
export * from './phases.js';
export * from './pods.js';
export * from './render.js';
export * from './rollout.js';
export * from './spec.js';
export * from './suggest.js';
export { PER_NODE_DEFAULTS, STRATEGY_DEFAULTS } from './spec-strategy.js';
