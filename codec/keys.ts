// Codec keys: `id:base64key` entries, the first one current (it encrypts), the
// others kept so payloads written before a rotation still decrypt. They come
// from DEPLOYFLOW_CODEC_KEYS (comma-separated) or from the file named by
// DEPLOYFLOW_CODEC_KEY_FILE (one entry a line, `#` comments): a file keeps keys
// out of process listings and can be a mounted Kubernetes Secret.
import crypto from 'node:crypto';
import fs from 'node:fs';

export interface CodecKey {
  id: string;
  key: Buffer;
}

export interface Keyring {
  /** Encrypts everything new. */
  current: CodecKey;
  /** Every key this process may decrypt with (the current one included). */
  byId: ReadonlyMap<string, CodecKey>;
}

export const KEYS_ENV = 'DEPLOYFLOW_CODEC_KEYS';
export const KEY_FILE_ENV = 'DEPLOYFLOW_CODEC_KEY_FILE';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_BYTES = 32;

export class CodecConfigError extends Error {
  override name = 'CodecConfigError';
}

/** Parses `id:base64key` entries separated by commas or newlines; never echoes a key back. */
export function parseKeys(text: string, source: string): CodecKey[] {
  const entries = text
    .split(/[,\n]/)
    .map((line) => line.replace(/#.*$/, '').trim())
    .filter(Boolean);
  if (entries.length === 0) throw new CodecConfigError(`${source}: no keys (expected id:base64key entries, the first one current)`);
  const seen = new Set<string>();
  return entries.map((entry, i) => {
    const colon = entry.indexOf(':');
    const id = colon < 0 ? '' : entry.slice(0, colon).trim();
    const encoded = colon < 0 ? '' : entry.slice(colon + 1).trim();
    const at = `${source} entry ${i + 1}`;
    if (!KEY_ID.test(id)) throw new CodecConfigError(`${at}: must be id:base64key with an id of letters, digits, '.', '_' or '-' (at most 64)`);
    if (seen.has(id)) throw new CodecConfigError(`${at}: key id "${id}" appears twice`);
    seen.add(id);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== KEY_BYTES || key.toString('base64').replace(/=+$/, '') !== encoded.replace(/=+$/, '')) {
      throw new CodecConfigError(`${at} (key "${id}"): the key must be ${KEY_BYTES} bytes in base64 (openssl rand -base64 32)`);
    }
    return { id, key };
  });
}

export function keyringOf(keys: CodecKey[]): Keyring {
  const [current] = keys;
  if (!current) throw new CodecConfigError('a keyring needs at least one key');
  return { current, byId: new Map(keys.map((k) => [k.id, k])) };
}

/** The keyring configured in `env`, or undefined when none is (clear text). */
export function keyringFromEnv(env: Readonly<Record<string, string | undefined>>): Keyring | undefined {
  const inline = env[KEYS_ENV]?.trim();
  const file = env[KEY_FILE_ENV]?.trim();
  if (inline && file) throw new CodecConfigError(`set ${KEYS_ENV} or ${KEY_FILE_ENV}, not both`);
  if (inline) return keyringOf(parseKeys(inline, KEYS_ENV));
  if (!file) return undefined;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CodecConfigError(`${KEY_FILE_ENV}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  return keyringOf(parseKeys(text, file));
}

/** A fresh `id:base64key` entry (the local stack makes one per stack). */
export function generateKeyEntry(id: string): string {
  if (!KEY_ID.test(id)) throw new CodecConfigError(`key id "${id}": letters, digits, '.', '_' or '-' (at most 64)`);
  return `${id}:${crypto.randomBytes(KEY_BYTES).toString('base64')}`;
}
