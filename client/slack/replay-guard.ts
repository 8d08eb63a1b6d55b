// Slack signs `v0:<timestamp>:<body>` with the signing secret; Bolt checks the
// signature and refuses timestamps older than five minutes. This guard, in
// front of Bolt, adds what that leaves open: a request replayed within those
// five minutes (the same signature seen twice) and timestamps from the
// future, and it refuses unsigned requests outright. Recording a signature
// before Bolt has verified it is harmless: a forged one can never equal the
// signature of a genuine request.
export const WINDOW_SECONDS = 5 * 60;

export type GuardVerdict = { ok: true } | { ok: false; reason: string };

export class ReplayGuard {
  private readonly seen = new Map<string, number>();

  check(headers: Readonly<Record<string, string | string[] | undefined>>, nowMs = Date.now()): GuardVerdict {
    const timestamp = headers['x-slack-request-timestamp'];
    const signature = headers['x-slack-signature'];
    if (typeof timestamp !== 'string' || typeof signature !== 'string') return { ok: false, reason: 'unsigned request' };
    if (!/^\d{1,12}$/.test(timestamp) || !/^v0=[0-9a-f]{64}$/.test(signature)) return { ok: false, reason: 'malformed signature headers' };
    const now = Math.floor(nowMs / 1000);
    const age = now - Number(timestamp);
    if (Math.abs(age) > WINDOW_SECONDS) return { ok: false, reason: `timestamp outside the ${WINDOW_SECONDS / 60}-minute window` };
    this.forgetBefore(now - WINDOW_SECONDS);
    if (this.seen.has(signature)) return { ok: false, reason: 'replayed request' };
    this.seen.set(signature, Number(timestamp));
    return { ok: true };
  }

  private forgetBefore(oldest: number): void {
    for (const [signature, timestamp] of this.seen) {
      if (timestamp >= oldest) continue;
      this.seen.delete(signature);
    }
  }
}
