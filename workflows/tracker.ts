// Where a deploy stands, kept in one object and published three ways: the
// `progress` query, the DeployPhase search attribute (upserted on every phase
// change), and the current-details Markdown the Temporal UI shows.
import type { SearchAttributeUpdatePair } from '@temporalio/common';
import { setCurrentDetails, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Phase } from '../domain/phases.js';
import { progressQuery, searchAttributeKeys, type DeployProgress, type OperatorAction, type RcProgress } from './messages.js';
import { renderDetails } from './details.js';
import type { RcGroup } from './rc-group.js';
import type { Continuation } from './continuation.js';
import { nextActionsFor } from '../domain/operator-table.js';

export class DeployTracker {
  readonly progress: DeployProgress;
  /** Whether phase changes are sent to the worker's chat webhooks (notifications.ts); not when it has none. */
  notifies = true;
  /**
   * Leave out the search attributes that already hold the value (the start set
   * them, or an earlier upsert did): each upsert is a history event and a
   * visibility write. Deploys started before keep every upsert (patch `quiet-start`).
   */
  skipUnchangedUpserts = false;

  constructor(init: Omit<DeployProgress, 'phase' | 'step' | 'totalSteps' | 'oldRcs' | 'paused' | 'nextActions' | 'actions' | 'workflowId'>) {
    this.progress = {
      ...init,
      workflowId: workflowInfo().workflowId,
      phase: 'Validating',
      step: 0,
      totalSteps: 0,
      oldRcs: [],
      paused: false,
      nextActions: [],
      actions: [],
    };
    setHandler(progressQuery, () => this.progress, { description: 'Where the deploy stands: phase, step, RCs, last error, next actions' });
  }

  get phase(): Phase {
    return this.progress.phase;
  }

  setPhase(phase: Phase): void {
    const changed = phase !== this.progress.phase;
    this.progress.phase = phase;
    if (changed || phase === 'Validating') this.upsert([{ key: searchAttributeKeys.phase, value: phase }]);
    this.publish();
  }

  /** Identity of the deploy once known (with --to-revision it is only known after reading the kept RC). */
  identify(app: string, namespace: string, image: string): void {
    Object.assign(this.progress, { app, namespace, image });
    this.upsert([
      { key: searchAttributeKeys.app, value: app },
      { key: searchAttributeKeys.image, value: image },
    ]);
    this.publish();
  }

  private upsert(pairs: SearchAttributeUpdatePair[]): void {
    const held = workflowInfo().typedSearchAttributes;
    const fresh = this.skipUnchangedUpserts ? pairs.filter((p) => held.get(p.key) !== p.value) : pairs;
    if (fresh.length > 0) upsertSearchAttributes(fresh);
  }

  /** `side`: set when the wait is on pods of one side of the rollout. */
  waitingFor(what: string | undefined, side?: 'new' | 'old'): void {
    this.progress.waitingFor = what ? { what, since: new Date().toISOString(), ...(side && { side }) } : undefined;
    this.publish();
  }

  showRcs(to: RcGroup | undefined, from: RcGroup | undefined, newIsTo = true): void {
    const members = (g: RcGroup | undefined): RcProgress[] =>
      g ? g.members.map((m) => ({ name: m.name, revision: m.revision, replicas: m.replicas, available: 0 })) : [];
    const spread = (list: RcProgress[], available: number) => {
      let left = available;
      for (const rc of list) {
        rc.available = Math.min(rc.replicas, left);
        left -= rc.available;
      }
      return list;
    };
    const newSide = newIsTo ? to : from;
    const oldSide = newIsTo ? from : to;
    this.progress.newRc = spread(members(newSide), newSide?.available ?? 0)[0];
    this.progress.oldRcs = spread(members(oldSide), oldSide?.available ?? 0);
    this.publish();
  }

  setStep(step: number, totalSteps: number): void {
    Object.assign(this.progress, { step, totalSteps });
    this.publish();
  }

  recordError(type: string, message: string, reason?: string): void {
    this.progress.lastError = { type, message, reason, at: new Date().toISOString() };
    this.publish();
  }

  recordAction(action: Omit<OperatorAction, 'at'>): void {
    this.progress.actions.push({ ...action, at: new Date().toISOString() });
    this.publish();
  }

  /** A run continued as new takes up the last run's record. */
  resume(c: Pick<Continuation, 'stepsDone' | 'actions' | 'lastError' | 'paused'>): void {
    Object.assign(this.progress, { step: c.stepsDone, actions: [...c.actions], lastError: c.lastError, paused: c.paused });
    this.publish();
  }

  publish(): void {
    this.progress.nextActions = nextActionsFor(this.progress.phase, this.progress.paused);
    setCurrentDetails(renderDetails(this.progress));
  }
}
