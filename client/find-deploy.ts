// The latest run of a deploy, or a clear "no deploy" (exit 1) when the app
// was never deployed to that environment under that namespace.
import { WorkflowNotFoundError, type WorkflowExecutionDescription } from '@temporalio/client';
import type { DeployHandle } from './api.js';
import { CliError, EXIT } from './errors.js';
import type { Target } from './target.js';
import type { TemporalSession } from './temporal.js';

export interface FoundDeploy {
  handle: DeployHandle;
  description: WorkflowExecutionDescription;
}

export async function findDeploy(session: TemporalSession, target: Target): Promise<FoundDeploy> {
  const handle: DeployHandle = session.client.workflow.getHandle(target.workflowId);
  try {
    return { handle, description: await handle.describe() };
  } catch (err) {
    if (err instanceof WorkflowNotFoundError) throw noDeploy(target);
    throw err;
  }
}

export function noDeploy(target: Target): CliError {
  const where = target.namespace === 'default' ? '' : ` (namespace ${target.namespace})`;
  return new CliError(`no deploy of ${target.name} in ${target.environment}${where}`, EXIT.failed);
}
