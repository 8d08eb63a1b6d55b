// The worker's one door to @kubernetes/client-node: every value the worker uses
// from it is re-exported here, and nothing else imports the package at run time.
// The compiled tree (bin/compiled-tree.js) bundles this file with just these
// names, so a worker loads the part of the package they need instead of its
// thousand modules: the import alone cost 76 MB of RSS, the bundle 24 MB
// (measured on Node 20, `process.memoryUsage()` after the import and a GC).
// Types come from the package itself: they cost nothing at run time.
export { ApiException, CoreV1Api, KubeConfig, ServerConfiguration, Watch, createConfiguration } from '@kubernetes/client-node';
