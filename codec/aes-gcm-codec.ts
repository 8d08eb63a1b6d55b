// The payload codec: every payload deployflow sends to Temporal is serialised
// whole (metadata and data, so even the encoding name is hidden) and sealed with
// AES-256-GCM under the current key, with a fresh random 96-bit nonce. The key
// id rides in the clear metadata so any holder of that key can open it, and is
// bound in as additional data so it cannot be swapped. Payloads that are not
// ours (older clear-text histories, other tools) pass through decode untouched.
import crypto from 'node:crypto';
import type { Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { Keyring } from './keys.js';

/** The encoding name Temporal's UI and CLI show as encrypted. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
export const KEY_ID_METADATA = 'encryption-key-id';
export const CIPHER_METADATA = 'encryption-cipher';
const CIPHER = 'AES-256-GCM';
const NONCE_BYTES = 12;
// A CommonJS package: its named exports do not load from ESM, the default does.
const { Payload: PayloadProto } = proto.temporal.api.common.v1;
const TAG_BYTES = 16;

const utf8 = new TextEncoder();
const text = new TextDecoder();

export class CodecKeyError extends Error {
  override name = 'CodecKeyError';
}

export class AesGcmCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => this.seal(p));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((p) => (isEncrypted(p) ? this.open(p) : p));
  }

  private seal(payload: Payload): Payload {
    const { id, key } = this.keyring.current;
    const nonce = crypto.randomBytes(NONCE_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, nonce);
    cipher.setAAD(utf8.encode(id));
    const plain = PayloadProto.encode(payload).finish();
    const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return {
      metadata: { encoding: utf8.encode(ENCRYPTED_ENCODING), [KEY_ID_METADATA]: utf8.encode(id), [CIPHER_METADATA]: utf8.encode(CIPHER) },
      data: sealed,
    };
  }

  private open(payload: Payload): Payload {
    const raw = payload.metadata?.[KEY_ID_METADATA];
    const id = raw ? text.decode(raw) : '';
    const entry = this.keyring.byId.get(id);
    if (!entry) {
      const have = [...this.keyring.byId.keys()].join(', ');
      throw new CodecKeyError(
        `cannot decrypt a payload sealed with codec key "${id || '(none)'}": this process has only ${have}; ` +
          'keep old keys after a rotation (DEPLOYFLOW_CODEC_KEYS=new:…,old:…)',
      );
    }
    const data = Buffer.from(payload.data ?? new Uint8Array());
    if (data.length < NONCE_BYTES + TAG_BYTES) throw new CodecKeyError(`an encrypted payload (key "${id}") is truncated`);
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', entry.key, data.subarray(0, NONCE_BYTES));
      decipher.setAAD(utf8.encode(id));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(NONCE_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return PayloadProto.decode(plain);
    } catch {
      // GCM refuses anything altered; say so without echoing bytes.
      throw new CodecKeyError(`an encrypted payload (key "${id}") failed authentication: it was altered, or key "${id}" is not the key that sealed it`);
    }
  }
}

export function isEncrypted(payload: Payload): boolean {
  const encoding = payload.metadata?.encoding;
  return encoding !== undefined && encoding !== null && text.decode(encoding) === ENCRYPTED_ENCODING;
}
