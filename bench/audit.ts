// Reads the bench apiserver's audit log (every verb, see stack.ts) between two
// points in time and says who made each request: the deployflow worker, the
// bench itself, or which controller of kube-controller-manager (by user agent).
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_USER, WORKER_USER } from './stack.js';

export interface AuditEvent {
  auditID: string;
  stage: string;
  verb: string;
  user: { username: string };
  userAgent?: string;
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  requestReceivedTimestamp: string;
  responseStatus?: { code?: number };
}

export interface Request {
  actor: string;
  verb: string;
  resource: string;
  namespace?: string;
  name?: string;
  /** ms epoch, microsecond resolution in the log. */
  at: number;
}

/** Who made a request: `deployflow-worker`, `bench`, `deployment-controller`, `scheduler`, `kwok`, ... */
export function actorOf(e: AuditEvent): string {
  if (e.user.username === WORKER_USER) return 'deployflow-worker';
  if (e.user.username === BENCH_USER) return 'bench';
  const ua = e.userAgent ?? '';
  if (ua.startsWith('kube-controller-manager/')) return ua.slice(ua.lastIndexOf('/') + 1) || 'kube-controller-manager';
  if (ua.startsWith('kube-scheduler/')) return 'scheduler';
  if (ua.startsWith('kwok/')) return 'kwok';
  if (ua.startsWith('kube-apiserver/')) return 'apiserver';
  return 'other';
}

export class AuditReader {
  private offset = 0;
  private inode = 0;

  constructor(private readonly file: string) {}

  /** Starts reading from now. */
  mark(): this {
    const stat = fs.existsSync(this.file) ? fs.statSync(this.file) : undefined;
    this.offset = stat?.size ?? 0;
    this.inode = stat?.ino ?? 0;
    return this;
  }

  /** Requests logged since mark(), each once (a watch logs two stages), in time order. */
  requestsSince(namespace?: string): Request[] {
    const seen = new Set<string>();
    const out: Request[] = [];
    for (const text of this.chunksSince()) {
      for (const line of text.split('\n')) {
        if (!line) continue;
        let e: AuditEvent;
        try {
          e = JSON.parse(line) as AuditEvent;
        } catch {
          continue; // a line cut by rotation
        }
        if (seen.has(e.auditID)) continue;
        seen.add(e.auditID);
        if (namespace !== undefined && e.objectRef?.namespace !== namespace) continue;
        const ref = e.objectRef ?? {};
        out.push({
          actor: actorOf(e),
          verb: e.verb,
          resource: ref.subresource ? `${ref.resource}/${ref.subresource}` : (ref.resource ?? ''),
          namespace: ref.namespace,
          name: ref.name,
          at: Date.parse(e.requestReceivedTimestamp),
        });
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }

  /** The text written since mark(), following one rotation (the apiserver renames a full log). */
  private chunksSince(): string[] {
    const stat = fs.statSync(this.file);
    if (stat.ino === this.inode) return [readFrom(this.file, this.offset)];
    const dir = path.dirname(this.file);
    const rotated = fs
      .readdirSync(dir)
      .map((f) => path.join(dir, f))
      .find((f) => f !== this.file && fs.statSync(f).ino === this.inode);
    return [rotated ? readFrom(rotated, this.offset) : '', readFrom(this.file, 0)];
  }
}

function readFrom(file: string, offset: number): string {
  const size = fs.statSync(file).size;
  if (size <= offset) return '';
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(size - offset);
    fs.readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.toString('utf8');
  } finally {
    fs.closeSync(fd);
  }
}

/** Counts requests by a key, e.g. verb: { get: 3, list: 1, ... }. */
export function countBy(requests: Request[], key: (r: Request) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of requests) counts[key(r)] = (counts[key(r)] ?? 0) + 1;
  return counts;
}
