// Counts the apiserver's writes from its audit log (every create, update,
// patch and delete is logged): proof that a refused input wrote nothing.
import fs from 'node:fs';
import path from 'node:path';
import type { StackInfo } from '../../stack/lifecycle.js';

export interface AuditEvent {
  verb: string;
  user: { username: string };
  objectRef?: { resource?: string; subresource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number };
}

export class AuditLog {
  private readonly file: string;
  private offset = 0;

  constructor(info: StackInfo) {
    this.file = path.join(info.logDir, 'audit.log');
  }

  /** Starts counting from now. */
  mark(): this {
    this.offset = fs.existsSync(this.file) ? fs.statSync(this.file).size : 0;
    return this;
  }

  /**
   * Writes a deploy could make (secrets, RCs and their scale) since mark().
   * Controllers keep writing leases, nodes, endpoints and status on their own,
   * so counting everything would count them.
   */
  deployWritesSince(): AuditEvent[] {
    return this.writesSince().filter(
      (e) => ['secrets', 'replicationcontrollers'].includes(e.objectRef?.resource ?? '') && e.objectRef?.subresource !== 'status',
    );
  }

  /** Writes one user (a worker's ServiceAccount) made since mark(), wherever they went. */
  writesBy(user: string): AuditEvent[] {
    return this.writesSince().filter((e) => e.user.username === user);
  }

  /** Writes logged since mark(), optionally only those in one namespace. */
  writesSince(namespace?: string): AuditEvent[] {
    if (!fs.existsSync(this.file)) return [];
    const fd = fs.openSync(this.file, 'r');
    const size = fs.statSync(this.file).size;
    const buffer = Buffer.alloc(Math.max(0, size - this.offset));
    fs.readSync(fd, buffer, 0, buffer.length, this.offset);
    fs.closeSync(fd);
    return buffer
      .toString('utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as AuditEvent)
      .filter((e) => ['create', 'update', 'patch', 'delete', 'deletecollection'].includes(e.verb))
      .filter((e) => namespace === undefined || e.objectRef?.namespace === namespace);
  }
}
