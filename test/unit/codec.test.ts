// The payload codec and its keys, without a server: what is sealed, what a
// holder of which key can open, rotation, tampering, and the key formats.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { AesGcmCodec, ENCRYPTED_ENCODING, isEncrypted } from '../../codec/aes-gcm-codec.js';
import { CodecConfigError, generateKeyEntry, keyringFromEnv, keyringOf, parseKeys } from '../../codec/keys.js';
import { codecSetup } from '../../codec/data-converter.js';

const k1 = generateKeyEntry('k1');
const k2 = generateKeyEntry('k2');
const ring = (text: string) => keyringOf(parseKeys(text, 'test'));
const text = (p: Payload, key: string) => new TextDecoder().decode(p.metadata?.[key] ?? new Uint8Array());
const secret = { env: { DB_PASSWORD: 'hunter2-very-secret' } };

describe('AesGcmCodec', () => {
  test('seals the whole payload: encoding binary/encrypted, the key id in metadata, nothing of the value in the bytes', async () => {
    const [sealed] = await new AesGcmCodec(ring(k1)).encode([defaultPayloadConverter.toPayload(secret)]);
    assert.ok(sealed);
    assert.equal(text(sealed, 'encoding'), ENCRYPTED_ENCODING);
    assert.equal(text(sealed, 'encryption-key-id'), 'k1');
    assert.ok(isEncrypted(sealed));
    const bytes = Buffer.from(sealed.data ?? new Uint8Array()).toString('latin1');
    assert.equal(bytes.includes('hunter2'), false);
    assert.equal(bytes.includes('json/plain'), false, 'the inner encoding is hidden too');
  });

  test('round-trips, with a fresh nonce each time', async () => {
    const codec = new AesGcmCodec(ring(k1));
    const payload = defaultPayloadConverter.toPayload(secret);
    const [a, b] = await codec.encode([payload, payload]);
    assert.notDeepEqual(a?.data, b?.data);
    const [back] = await codec.decode([a!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(back!), secret);
  });

  test('rotation: the new current key encrypts, the old one still decrypts', async () => {
    const [old] = await new AesGcmCodec(ring(k1)).encode([defaultPayloadConverter.toPayload(secret)]);
    const rotated = new AesGcmCodec(ring(`${k2},${k1}`));
    const [fresh] = await rotated.encode([defaultPayloadConverter.toPayload(secret)]);
    assert.equal(text(fresh!, 'encryption-key-id'), 'k2');
    const [a, b] = await rotated.decode([old!, fresh!]);
    assert.deepEqual(defaultPayloadConverter.fromPayload(a!), secret);
    assert.deepEqual(defaultPayloadConverter.fromPayload(b!), secret);
  });

  test('a process without the key says which key it lacks', async () => {
    const [old] = await new AesGcmCodec(ring(k1)).encode([defaultPayloadConverter.toPayload(secret)]);
    await assert.rejects(new AesGcmCodec(ring(k2)).decode([old!]), /sealed with codec key "k1": this process has only k2/);
  });

  test('an altered payload or a swapped key id is refused, not decoded into garbage', async () => {
    const [sealed] = await new AesGcmCodec(ring(k1)).encode([defaultPayloadConverter.toPayload(secret)]);
    const data = Buffer.from(sealed!.data!);
    data[20] = (data[20] ?? 0) ^ 1;
    await assert.rejects(new AesGcmCodec(ring(k1)).decode([{ ...sealed!, data }]), /failed authentication/);
    const other = generateKeyEntry('k1').replace(/^k1:/, 'k1:');
    await assert.rejects(new AesGcmCodec(ring(other)).decode([sealed!]), /failed authentication/);
  });

  test('clear payloads (recorded histories, other tools) pass through decode', async () => {
    const clear = defaultPayloadConverter.toPayload({ a: 1 });
    assert.deepEqual(await new AesGcmCodec(ring(k1)).decode([clear]), [clear]);
  });
});

describe('codec keys', () => {
  test('DEPLOYFLOW_CODEC_KEYS: comma-separated, the first one current', () => {
    const keyring = keyringFromEnv({ DEPLOYFLOW_CODEC_KEYS: `${k2}, ${k1}` });
    assert.equal(keyring?.current.id, 'k2');
    assert.deepEqual([...(keyring?.byId.keys() ?? [])], ['k2', 'k1']);
  });

  test('DEPLOYFLOW_CODEC_KEY_FILE: one entry a line, comments allowed', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'codec-')), 'keys');
    fs.writeFileSync(file, `# rotated 2026-12-01\n${k2}\n${k1}   # old\n`);
    assert.equal(keyringFromEnv({ DEPLOYFLOW_CODEC_KEY_FILE: file })?.current.id, 'k2');
    assert.throws(() => keyringFromEnv({ DEPLOYFLOW_CODEC_KEY_FILE: `${file}.missing` }), /cannot read .*ENOENT/);
  });

  const bad: Array<[string, string, RegExp]> = [
    ['no id', 'c2VjcmV0', /entry 1: must be id:base64key/],
    ['short key', 'k:c2VjcmV0', /key "k".*must be 32 bytes in base64/],
    ['not base64', `k:${'!'.repeat(44)}`, /must be 32 bytes in base64/],
    ['duplicate id', `${k1},${k1}`, /key id "k1" appears twice/],
    ['empty', ' , ', /no keys/],
  ];
  for (const [name, value, message] of bad) {
    test(`refuses ${name}, without echoing the key`, () => {
      assert.throws(() => keyringFromEnv({ DEPLOYFLOW_CODEC_KEYS: value }), (err: Error) => {
        assert.ok(err instanceof CodecConfigError);
        assert.match(err.message, message);
        const key = value.split(':')[1];
        if (key && key.length > 8) assert.equal(err.message.includes(key), false);
        return true;
      });
    });
  }

  test('both sources at once is ambiguous', () => {
    assert.throws(() => keyringFromEnv({ DEPLOYFLOW_CODEC_KEYS: k1, DEPLOYFLOW_CODEC_KEY_FILE: '/x' }), /not both/);
  });
});

describe('codecSetup', () => {
  test('with keys: the codec and the failure converter that moves messages into payloads', () => {
    const setup = codecSetup({ DEPLOYFLOW_CODEC_KEYS: k1 });
    assert.equal(setup.dataConverter.payloadCodecs?.length, 1);
    assert.match(setup.dataConverter.failureConverterPath ?? '', /failure-converter\.ts$/);
  });

  test('without keys: clear text, said once', () => {
    const lines: string[] = [];
    codecSetup({}, (l) => lines.push(l));
    codecSetup({}, (l) => lines.push(l));
    assert.equal(lines.length, 1, 'once per process');
    assert.match(lines[0] ?? '', /no codec keys .*clear text/);
    assert.deepEqual(codecSetup({}, () => undefined).dataConverter, {});
  });
});
