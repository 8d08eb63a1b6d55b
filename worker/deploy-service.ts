// The Nexus handler an environment's worker offers releases (endpoint
// deploy-<env> → this namespace, task queue deploy-<env>): `deploy` queues the
// deploy on the app's queue (`fifo`: a release waits for the app's lock like
// any deploy) through a queued-deploy workflow that follows it to its end;
// `soak` starts the small soak workflow.
// Both run here, under this environment's credentials; the deploy admits its
// input with this worker's own policy like any other deploy (I8).
import * as nexus from 'nexus-rpc';
import { startWorkflow, WorkflowRunOperationHandler } from '@temporalio/nexus';
import { isMapping } from '../domain/spec-checks.js';
import { soakIdFor } from '../domain/release-plan.js';
import { queuedDeployIdFor, taskQueueFor } from '../domain/names.js';
import { deploySummary } from '../domain/check-deploy.js';
import { DEPLOY_SERVICE, type ReleaseDeployInput, type SoakInput, type SoakResult } from '../workflows/deploy-service.js';
import { QUEUED_DEPLOY_WORKFLOW, type DeployResult, type QueuedDeployInput } from '../workflows/messages.js';
import { SOAK_WORKFLOW } from '../workflows/release-messages.js';

export function deployServiceHandler(environment: string) {
  const mine = (requested: unknown, what: string) => {
    if (requested !== environment) throw new nexus.HandlerError('BAD_REQUEST', `${what} for environment ${JSON.stringify(requested)} reached the worker of ${environment}`);
  };
  return nexus.serviceHandler(DEPLOY_SERVICE, {
    deploy: new WorkflowRunOperationHandler<ReleaseDeployInput, DeployResult>(async (ctx, input) => {
      if (!isMapping(input)) throw new nexus.HandlerError('BAD_REQUEST', 'deploy: the input must be a mapping');
      mine(input.environment, 'a deploy');
      // The deploy gets a deploy's input; the release it belongs to is shown in its details.
      const { releaseId: _releaseId, ...deploy } = input;
      const meta = metaOf(input);
      // One request per Nexus operation: a retried start is the same request (the same ticket and workflow id).
      const ticket = `release-${ctx.requestId}`.slice(0, 80);
      const queued: QueuedDeployInput = { ticket, policy: 'fifo', input: deploy, ...(meta.releaseId && { requestedFor: meta.releaseId }) };
      return startWorkflow(ctx, QUEUED_DEPLOY_WORKFLOW, {
        workflowId: queuedDeployIdFor(environment, meta.namespace, meta.app, ticket),
        taskQueue: taskQueueFor(environment),
        args: [queued],
        staticSummary: `queued: ${deploySummary({ app: meta.app, environment, image: meta.image })}`,
        staticDetails: `the deploy a release asked for, waiting for the app's lock in its queue (fifo)${meta.releaseId ? `\n\n- release: \`${meta.releaseId}\`` : ''}`,
      });
    }),
    soak: new WorkflowRunOperationHandler<SoakInput, SoakResult>(async (ctx, input) => {
      if (!isMapping(input) || typeof input.namespace !== 'string' || typeof input.app !== 'string') throw new nexus.HandlerError('BAD_REQUEST', 'soak: namespace and app are required');
      mine(input.environment, 'a soak');
      return startWorkflow(ctx, SOAK_WORKFLOW, {
        workflowId: soakIdFor(environment, input.namespace, input.app, ctx.requestId),
        taskQueue: taskQueueFor(environment),
        args: [input],
        staticSummary: input.expect ? `soak ${input.app} in ${environment} for ${input.seconds}s (${String(input.releaseId).slice(0, 200)})` : `what serves ${input.app} in ${environment}`,
      });
    }),
  });
}

/** The app and image a deploy's input names, read defensively (the deploy itself checks everything). */
function metaOf(input: ReleaseDeployInput): { app: string; namespace: string; image: string; releaseId?: string } {
  const text = (v: unknown, fallback = '') => (typeof v === 'string' ? v.slice(0, 256) : fallback);
  const spec: Record<string, unknown> = isMapping(input.spec) ? input.spec : {};
  const app: Record<string, unknown> = isMapping(input.app) ? input.app : {};
  return {
    app: text(spec.name, text(app.name)),
    namespace: text(spec.namespace, text(app.namespace, 'default')),
    image: text(input.image, `revision ${String(input.toRevision)}`),
    releaseId: text(input.releaseId) || undefined,
  };
}
