// Opens every encoded payload inside a fetched history (or any message) in place,
// with the codecs a client was built with: fetchHistory returns payloads as
// stored, so a reader of history (deployctl labels) must decode them itself.
import type { Payload, PayloadCodec } from '@temporalio/common';

export async function openPayloadsInPlace(message: unknown, codecs: readonly PayloadCodec[]): Promise<void> {
  if (codecs.length === 0) return;
  const seen = new Set<object>();
  const walk = async (value: unknown): Promise<void> => {
    if (value === null || typeof value !== 'object' || value instanceof Uint8Array || seen.has(value)) return;
    seen.add(value);
    const p = value as Payload;
    if (p.metadata && typeof p.metadata === 'object' && p.metadata.encoding && 'data' in p) {
      let opened = [p];
      for (const codec of [...codecs].reverse()) opened = await codec.decode(opened);
      Object.assign(p, { metadata: opened[0]?.metadata, data: opened[0]?.data });
      return;
    }
    for (const v of Array.isArray(value) ? value : Object.values(value)) await walk(v);
  };
  await walk(message);
}
