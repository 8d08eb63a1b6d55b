// Reading an app spec file: size limit, YAML syntax, then the domain's
// validation. Every problem is an InvalidSpecError naming where it is.
import fs from 'node:fs';
import yaml from 'js-yaml';
import { InvalidSpecError } from '../domain/errors.js';
import { validateAppSpec, type AppSpec } from '../domain/spec.js';

/** App specs are a screenful of YAML; anything this large is a mistake or an attack. */
export const MAX_SPEC_BYTES = 256 * 1024;

export function parseSpecText(text: string, source = 'spec'): AppSpec {
  if (Buffer.byteLength(text, 'utf8') > MAX_SPEC_BYTES) {
    throw new InvalidSpecError([{ field: source, rule: `must be at most ${MAX_SPEC_BYTES / 1024} KiB` }]);
  }
  let raw: unknown;
  try {
    raw = yaml.load(text, { filename: source, schema: yaml.CORE_SCHEMA, json: false });
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    const where = mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : '';
    const reason = (err as { reason?: string }).reason ?? (err as Error).message;
    throw new InvalidSpecError([{ field: source, rule: `is not valid YAML${where}: ${reason}` }]);
  }
  return validateAppSpec(raw);
}

export function loadSpecFile(path: string): AppSpec {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch {
    throw new InvalidSpecError([{ field: path, rule: 'no such file' }]);
  }
  if (stat.size > MAX_SPEC_BYTES) throw new InvalidSpecError([{ field: path, rule: `must be at most ${MAX_SPEC_BYTES / 1024} KiB` }]);
  return parseSpecText(fs.readFileSync(path, 'utf8'), path);
}
