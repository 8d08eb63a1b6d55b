// The one place that decides how deployflow's processes talk to Temporal:
// deployctl, the worker, the per-node schedule, tests and the bench all get
// their data converter here. With keys: every payload is encrypted and failure
// messages travel inside payloads. Without: clear text, said once on stderr.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { AesGcmCodec } from './aes-gcm-codec.js';
import { keyringFromEnv, KEY_FILE_ENV, KEYS_ENV, type Keyring } from './keys.js';

// Beside this module, as the process runs it: the source (.ts, through tsx) or its compiled copy
// (.js, bin/compiled-tree.js). codec/ imports nothing of deployflow, so not worker/sibling-module.ts.
export const failureConverterPath = fileURLToPath(new URL(`./failure-converter${path.extname(new URL(import.meta.url).pathname)}`, import.meta.url));

export interface CodecSetup {
  keyring?: Keyring;
  dataConverter: DataConverter;
}

let warned = false;

export function codecSetup(
  env: Readonly<Record<string, string | undefined>> = process.env,
  warn: (line: string) => void = (line) => process.stderr.write(line + '\n'),
): CodecSetup {
  const keyring = keyringFromEnv(env);
  if (!keyring) {
    if (!warned) warn(`deployflow: no codec keys (${KEYS_ENV} or ${KEY_FILE_ENV}): payloads go to Temporal in clear text`);
    warned = true;
    return { dataConverter: {} };
  }
  return { keyring, dataConverter: { payloadCodecs: [new AesGcmCodec(keyring)], failureConverterPath } };
}
