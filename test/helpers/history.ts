// A deploy's history as it is stored: fetched by a client without any codec,
// as protobuf bytes (what Temporal's database holds), and the same history
// with every encrypted payload opened (what a holder of the keys can read).
import type { Client } from '@temporalio/client';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { temporal } from '@temporalio/proto';
import { isEncrypted } from '../../codec/aes-gcm-codec.js';

type History = temporal.api.history.v1.History;

export async function rawHistory(rawClient: Client, workflowId: string, runId?: string): Promise<History> {
  const history = await rawClient.workflow.getHandle(workflowId, runId).fetchHistory();
  return proto.temporal.api.history.v1.History.create(history);
}

/** The stored bytes, as latin1 text so `includes` finds any clear-text string in them. */
export function historyBytes(history: History): string {
  return Buffer.from(proto.temporal.api.history.v1.History.encode(history).finish()).toString('latin1');
}

/** Every payload opened with `codec` and rendered as text, plus every clear string field: what the keys reveal. */
export async function openedHistoryText(history: History, codec: PayloadCodec): Promise<string> {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  const walk = async (value: unknown): Promise<void> => {
    if (value === null || typeof value !== 'object' || seen.has(value)) {
      if (typeof value === 'string') parts.push(value);
      return;
    }
    seen.add(value);
    if (value instanceof Uint8Array) {
      parts.push(Buffer.from(value).toString('latin1'));
      return;
    }
    const maybe = value as Payload;
    if (maybe.metadata && 'data' in maybe && isEncrypted(maybe)) {
      const [opened] = await codec.decode([maybe]);
      parts.push(Buffer.from(opened?.data ?? new Uint8Array()).toString('utf8'));
      return;
    }
    for (const v of Array.isArray(value) ? value : Object.values(value)) await walk(v);
  };
  await walk(history);
  return parts.join('\n');
}
