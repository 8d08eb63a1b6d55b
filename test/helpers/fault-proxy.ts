// A fault-injecting proxy in front of the stack's apiserver, for the worker's
// kubeconfig only. It listens on plain http on loopback (the kubeconfig keeps
// the admin token) and forwards to the apiserver's https port. At a chosen rate
// it answers a request itself instead:
//   conflict  409 Conflict, nothing forwarded
//   throttle  429 Too Many Requests (Retry-After: 1), nothing forwarded
//   error     500 Internal Server Error, nothing forwarded
//   lost      forwarded and applied by the apiserver, but the answer replaced by a 500
//             (the worst case for idempotence: the write happened, the caller thinks not)
//   slow      forwarded after a delay
// Watches stream through untouched, except that their start may fail or be slow
// at `watchRate`. Kinds are taken in turn (requests and watches each their own
// turn), so five faulted requests show every kind.
//
// A breakpoint holds one chosen request instead (the n-th scale of an RC, say):
// `before` it reaches the apiserver, or `after` the apiserver applied it, with
// the answer held back. Crash tests kill the worker right then, which lands a
// kill exactly inside an activity's cluster call, however short the call is.
import http from 'node:http';
import https from 'node:https';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { kubeconfigYaml } from '../../stack/pki.js';
import { seededRandom } from './seeded-random.js';

export type FaultKind = 'conflict' | 'throttle' | 'error' | 'lost' | 'slow';
export const FAULT_KINDS: FaultKind[] = ['conflict', 'throttle', 'error', 'lost', 'slow'];

export interface FaultPlan {
  /** Share of non-watch requests answered with a fault, 0-1. */
  rate: number;
  /** Share of watch requests whose start fails (or is slow), 0-1. */
  watchRate: number;
  kinds: FaultKind[];
  /** Delay of a slow answer, in ms: [min, max]. */
  slowMs: [number, number];
  seed: number;
}

export interface FaultStats {
  requests: number;
  watches: number;
  /** Connections reset during a partition. */
  partitioned: number;
  injected: Record<FaultKind, number>;
  /** `METHOD path → kind` of each injected fault, in order. */
  log: string[];
}

export interface ProxiedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
}

export interface Breakpoint {
  /** For messages: `PUT crash-3-abc/scale to 0`. */
  label: string;
  match(request: ProxiedRequest): boolean;
  /** Hold the n-th matching request (1-based). */
  nth?: number;
  /** Hold it before it reaches the apiserver, after it acted, or only note it (`pass`) and let it through. */
  when: 'before' | 'after' | 'pass';
}

interface Armed {
  breakpoint: Breakpoint;
  seen: number;
  hit: () => void;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer'];

export class FaultProxy {
  readonly stats: FaultStats = { requests: 0, watches: 0, partitioned: 0, injected: { conflict: 0, throttle: 0, error: 0, lost: 0, slow: 0 }, log: [] };
  private random: () => number;
  /** Whose turn it is among the request kinds and among the watch kinds (watches cannot lose an answer). */
  private turns = { request: 0, watch: 0 };
  private readonly agent = new https.Agent({ keepAlive: true, rejectUnauthorized: false });
  private armed: Armed | undefined;
  private readonly held = new Set<http.ServerResponse>();
  private readonly open = new Set<http.ServerResponse>();
  private partitioned = false;

  private constructor(
    private readonly server: http.Server,
    private readonly target: { port: number },
    private plan: FaultPlan,
  ) {
    this.random = seededRandom(plan.seed);
  }

  static async start(target: { port: number }, plan: Partial<FaultPlan> = {}): Promise<FaultProxy> {
    const full: FaultPlan = { rate: 0, watchRate: 0, kinds: FAULT_KINDS, slowMs: [1000, 4000], seed: 1, ...plan };
    const server = http.createServer();
    const proxy = new FaultProxy(server, target, full);
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => proxy.handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Changes the plan from now on (e.g. faults only once the worker has started). */
  setPlan(plan: Partial<FaultPlan>): void {
    this.plan = { ...this.plan, ...plan };
    if (plan.seed !== undefined) {
      this.random = seededRandom(plan.seed);
      this.turns = { request: 0, watch: 0 };
    }
  }

  /** A kubeconfig that reaches the apiserver through this proxy with `token`. */
  writeKubeconfig(file: string, token: string): string {
    fs.writeFileSync(file, kubeconfigYaml(this.url, token), { mode: 0o600 });
    return file;
  }

  /**
   * Arms a breakpoint; resolves when the request is held (or rejects after `timeoutMs`).
   * The held request is never answered: the test kills its caller, then calls releaseHeld().
   */
  breakAt(breakpoint: Breakpoint, timeoutMs = 180_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.armed = undefined;
        reject(new Error(`breakpoint ${breakpoint.label} #${breakpoint.nth ?? 1} not reached within ${timeoutMs / 1000}s`));
      }, timeoutMs);
      this.armed = {
        breakpoint,
        seen: 0,
        hit: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }

  /**
   * A network partition between the worker and the apiserver: while on, every
   * connection is reset (open watches too), as when a node loses its network.
   */
  partition(on: boolean): void {
    this.partitioned = on;
    if (!on) return;
    for (const res of this.open) res.socket?.destroy();
    this.open.clear();
  }

  disarm(): void {
    this.armed = undefined;
  }

  /** Drops the held requests (their caller is dead by now). */
  releaseHeld(): void {
    for (const res of this.held) res.destroy();
    this.held.clear();
  }

  async close(): Promise<void> {
    this.releaseHeld();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.agent.destroy();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    if (this.partitioned) {
      this.stats.partitioned += 1;
      req.socket.destroy();
      return;
    }
    this.open.add(res);
    res.on('close', () => this.open.delete(res));
    const url = new URL(req.url ?? '/', 'http://proxy');
    const watch = url.searchParams.get('watch') === 'true' || url.pathname.includes('/watch/');
    this.stats.requests += 1;
    if (watch) {
      this.stats.watches += 1;
      return this.dispatch(req, res, url, watch, undefined);
    }
    // Requests other than watches are small: read the body first, so breakpoints can match on it.
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => this.dispatch(req, res, url, watch, Buffer.concat(chunks)));
  }

  private dispatch(req: http.IncomingMessage, res: http.ServerResponse, url: URL, watch: boolean, body: Buffer | undefined): void {
    const armed = this.armed;
    if (armed && !watch) {
      const request = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, body: body?.toString('utf8') ?? '' };
      if (armed.breakpoint.match(request) && ++armed.seen === (armed.breakpoint.nth ?? 1)) {
        this.armed = undefined;
        this.stats.log.push(`${req.method} ${url.pathname} → ${armed.breakpoint.when} (${armed.breakpoint.label})`);
        if (armed.breakpoint.when === 'pass') {
          armed.hit();
          return this.forward(req, res, body, 'pass');
        }
        this.held.add(res);
        if (armed.breakpoint.when === 'before') armed.hit();
        else this.forward(req, res, body, 'hold', armed.hit);
        return;
      }
    }
    const fault = this.pick(watch);
    if (fault) {
      this.stats.injected[fault] += 1;
      this.stats.log.push(`${req.method} ${url.pathname}${watch ? ' (watch)' : ''} → ${fault}`);
    }
    switch (fault) {
      case 'conflict':
        return reply(req, res, 409, 'Conflict', { message: 'injected conflict (fault proxy): the object has been modified' });
      case 'throttle':
        return reply(req, res, 429, 'TooManyRequests', { message: 'injected throttling (fault proxy)', retryAfter: 1 });
      case 'error':
        return reply(req, res, 500, 'InternalError', { message: 'injected server error (fault proxy)' });
      case 'slow': {
        const [min, max] = this.plan.slowMs;
        setTimeout(() => this.forward(req, res, body, 'pass'), min + this.random() * (max - min));
        return;
      }
      case 'lost':
        return this.forward(req, res, body, 'lose');
      default:
        return this.forward(req, res, body, 'pass');
    }
  }

  private pick(watch: boolean): FaultKind | undefined {
    const rate = watch ? this.plan.watchRate : this.plan.rate;
    if (rate <= 0 || this.random() >= rate) return undefined;
    const kinds = watch ? this.plan.kinds.filter((k) => k !== 'lost') : this.plan.kinds;
    if (kinds.length === 0) return undefined;
    return kinds[this.turns[watch ? 'watch' : 'request']++ % kinds.length];
  }

  /**
   * Forwards to the apiserver (`body` already read, or streamed when undefined) and
   * streams the answer back; `lose` swaps the answer for a 500 once the apiserver
   * acted; `hold` keeps the answer back and calls `onHeld`.
   */
  private forward(req: http.IncomingMessage, res: http.ServerResponse, body: Buffer | undefined, mode: 'pass' | 'lose' | 'hold', onHeld?: () => void): void {
    const headers: http.OutgoingHttpHeaders = { ...req.headers, host: `127.0.0.1:${this.target.port}` };
    for (const h of HOP_BY_HOP) delete headers[h];
    const upstream = https.request(
      { host: '127.0.0.1', port: this.target.port, method: req.method, path: req.url, headers, agent: this.agent },
      (answer) => {
        if (mode !== 'pass') {
          answer.resume();
          answer.on('end', () => {
            if (mode === 'hold') onHeld?.();
            else reply(req, res, 500, 'InternalError', { message: 'injected lost response (fault proxy): the request was applied' });
          });
          return;
        }
        const out = { ...answer.headers };
        for (const h of HOP_BY_HOP) delete out[h];
        res.writeHead(answer.statusCode ?? 502, out);
        res.flushHeaders();
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    upstream.on('error', (err) => {
      if (mode === 'hold') onHeld?.();
      else if (!res.headersSent) reply(req, res, 502, 'ServiceUnavailable', { message: `fault proxy: apiserver unreachable: ${err.message}` });
      else res.destroy();
    });
    // A client that goes away (a watch being closed) ends the upstream request too.
    // (A held request is left to complete: the apiserver must have acted before its caller dies.)
    res.on('close', () => {
      if (!res.writableFinished && mode !== 'hold') upstream.destroy();
    });
    if (body === undefined) req.pipe(upstream);
    else upstream.end(body);
  }
}

function reply(req: http.IncomingMessage, res: http.ServerResponse, code: number, reason: string, extra: { message: string; retryAfter?: number }): void {
  req.resume(); // drain the body we will not forward
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: extra.message, reason, code });
  const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) };
  if (extra.retryAfter !== undefined) headers['retry-after'] = String(extra.retryAfter);
  if (res.headersSent) res.destroy();
  else res.writeHead(code, headers).end(body);
}
