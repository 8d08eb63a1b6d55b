// The child process that bundles the workflows for a worker (worker/workflow-bundle.ts):
// argv[2] is a JSON { workflowsPath, workflowInterceptorModules, failureConverterPath?, payloadConverterPath? };
// the bundle's code goes to stdout.
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';

const options = JSON.parse(process.argv[2] ?? '{}') as Pick<BundleOptions, 'workflowsPath' | 'workflowInterceptorModules' | 'failureConverterPath' | 'payloadConverterPath'>;
const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: (message: string) => process.stderr.write(`${message}\n`) };
const { code } = await bundleWorkflowCode({ ...options, logger: quiet as unknown as BundleOptions['logger'] });
process.stdout.write(code);
