// Temporal visibility queries over the deploy search attributes. Values are
// quoted, and anything that could escape the quotes is refused outright:
// the query language has no reliable escaping across visibility stores.
import { SEARCH_ATTRIBUTES } from '../domain/names.js';
import { DEPLOY_WORKFLOW } from '../workflows/messages.js';
import { UsageError } from './args.js';

export interface DeployFilters {
  environment?: string;
  phase?: string;
  app?: string;
}

export function quoted(value: string, flag: string): string {
  if (/['"`\\\u0000-\u001f]/.test(value)) throw new UsageError(`${flag} must not contain quotes, backslashes or control characters`);
  return `'${value}'`;
}

export function deployListQuery(filters: DeployFilters): string {
  const clauses = [`WorkflowType = ${quoted(DEPLOY_WORKFLOW, 'workflow type')}`];
  if (filters.environment !== undefined) clauses.push(`${SEARCH_ATTRIBUTES.environment} = ${quoted(filters.environment, '--env')}`);
  if (filters.phase !== undefined) clauses.push(`${SEARCH_ATTRIBUTES.phase} = ${quoted(filters.phase, '--phase')}`);
  if (filters.app !== undefined) clauses.push(`${SEARCH_ATTRIBUTES.app} = ${quoted(filters.app, '--app')}`);
  return clauses.join(' AND ');
}

export function deployHistoryQuery(workflowId: string): string {
  return `WorkflowId = ${quoted(workflowId, 'workflow id')}`;
}
