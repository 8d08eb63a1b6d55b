// The worker's log lines: one JSON object per line, what log collectors in a
// cluster expect. JSON.stringify turns an Error into `{}` (its message and
// stack are not own enumerable properties), so errors are spelled out here.
import type { LogEntry } from '@temporalio/worker';

export function logLine(entry: LogEntry): string {
  const { level, message, meta } = entry;
  const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
  return JSON.stringify({ time, level, message, ...meta }, (_key, value: unknown) => (value instanceof Error ? errorFields(value) : value));
}

function errorFields(err: Error): Record<string, unknown> {
  const cause = err.cause instanceof Error ? errorFields(err.cause) : err.cause;
  const type: unknown = (err as Error & { type?: unknown }).type;
  return {
    name: err.name,
    message: err.message,
    ...(typeof type === 'string' && { type }),
    ...(err.stack && { stack: err.stack }),
    ...(cause !== undefined && { cause }),
  };
}
