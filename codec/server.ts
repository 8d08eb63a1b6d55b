// Temporal's codec server protocol, so the Temporal UI and CLI can show
// encrypted payloads decoded: POST …/encode and POST …/decode with a JSON body
// `{ "payloads": [{ "metadata": { k: base64 }, "data": base64 }] }` (proto3
// JSON: bytes are base64), answered in the same shape. The keys stay here; the
// Temporal server never sees plaintext.
//
// Who may call it:
//  - a bearer token: `Authorization: Bearer <token>` (the CLI's --codec-auth), or
//    the same token as a path segment `/token/<token>/…` for a UI that cannot
//    send headers (the dev server's UI; its endpoint URL is then the secret);
//  - browsers only from the allowed origins (CORS); any other Origin is refused
//    outright, not merely left without CORS headers.
import crypto from 'node:crypto';
import http from 'node:http';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Origins (scheme://host:port) whose browsers may call: the Temporal UI's. */
  allowedOrigins: string[];
  log?: (line: string) => void;
}

const MAX_BODY_BYTES = 16 * 1024 * 1024;
const ROUTE = /^(?:\/token\/([^/]+))?(?:\/[^/]+)?\/(encode|decode)\/?$/;

export function createCodecServer(options: CodecServerOptions): http.Server {
  const origins = new Set(options.allowedOrigins.map(originOf));
  const log = options.log ?? (() => undefined);
  return http.createServer((req, res) => {
    handle(req, res, options, origins).then(
      (status) => log(`${req.method} ${redactPath(req.url ?? '')} ${status}`),
      (err: unknown) => {
        log(`${req.method} ${redactPath(req.url ?? '')} 500 ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) reply(res, 500, { error: 'internal error' });
      },
    );
  });
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse, options: CodecServerOptions, origins: Set<string>): Promise<number> {
  const url = new URL(req.url ?? '/', 'http://codec.invalid');
  if (req.method === 'GET' && url.pathname === '/health') return reply(res, 200, { status: 'ok' });
  const origin = req.headers.origin;
  if (origin !== undefined) {
    if (!origins.has(origin)) return reply(res, 403, { error: `origin ${origin} is not allowed` });
    res.setHeader('Access-Control-Allow-Origin', origin);
    res.setHeader('Access-Control-Allow-Credentials', 'true');
    res.setHeader('Vary', 'Origin');
  }
  const route = ROUTE.exec(url.pathname);
  if (!route) return reply(res, 404, { error: 'not found: POST /encode or /decode' });
  if (req.method === 'OPTIONS') {
    res.setHeader('Access-Control-Allow-Methods', 'POST, OPTIONS');
    res.setHeader('Access-Control-Allow-Headers', 'Content-Type, X-Namespace, Authorization, Authorization-Extras');
    res.setHeader('Access-Control-Max-Age', '600');
    res.writeHead(204).end();
    return 204;
  }
  if (req.method !== 'POST') return reply(res, 405, { error: 'use POST' });
  const [, pathToken, operation] = route;
  if (!authorized(options.token, pathToken, req.headers.authorization)) return reply(res, 401, { error: 'missing or wrong token' });

  let payloads: Payload[];
  try {
    payloads = parsePayloads(await readBody(req));
  } catch (err) {
    return reply(res, 400, { error: err instanceof Error ? err.message : String(err) });
  }
  try {
    const out = operation === 'encode' ? await options.codec.encode(payloads) : await options.codec.decode(payloads);
    return reply(res, 200, { payloads: out.map(payloadToJson) });
  } catch (err) {
    // A missing key or an altered payload: the message says which key, never what was inside.
    return reply(res, 422, { error: err instanceof Error ? err.message : String(err) });
  }
}

function authorized(token: string, pathToken: string | undefined, header: string | undefined): boolean {
  const bearer = header?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  return [pathToken && decodeURIComponent(pathToken), bearer].some((given) => given !== undefined && given !== '' && sameSecret(given, token));
}

/** Constant-time: compares digests so neither length nor content leaks through timing. */
function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => crypto.createHash('sha256').update(s).digest();
  return crypto.timingSafeEqual(digest(a), digest(b));
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`body larger than ${MAX_BODY_BYTES} bytes`));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface JsonPayload {
  metadata?: Record<string, string>;
  data?: string;
}

function parsePayloads(body: string): Payload[] {
  const doc = JSON.parse(body) as { payloads?: unknown };
  if (!doc || !Array.isArray(doc.payloads)) throw new Error('body must be {"payloads": [...]}');
  return doc.payloads.map((p: JsonPayload, i) => {
    if (typeof p !== 'object' || p === null) throw new Error(`payloads[${i}] must be an object`);
    const metadata = Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(String(v), 'base64')]));
    return { metadata, data: Buffer.from(String(p.data ?? ''), 'base64') };
  });
}

function payloadToJson(p: Payload): JsonPayload {
  const b64 = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? new Uint8Array()).toString('base64');
  return { metadata: Object.fromEntries(Object.entries(p.metadata ?? {}).map(([k, v]) => [k, b64(v)])), data: b64(p.data) };
}

function reply(res: http.ServerResponse, status: number, body: object): number {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  return status;
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** The token never reaches a log line. */
export function redactPath(path: string): string {
  return path.replace(/\/token\/[^/]+/, '/token/***');
}
