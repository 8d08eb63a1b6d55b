// Reading the small YAML documents deployflow takes from files (label and worker
// policies): a size limit, YAML syntax, then the document's own checks, with every
// problem an InvalidSpecError naming the file and the place in it.
import fs from 'node:fs';
import yaml from 'js-yaml';
import { InvalidSpecError } from '../domain/errors.js';

/** The file's text; refuses a missing file (`missingRule`) or one over `maxBytes`. */
export function readBoundedFile(file: string, maxBytes: number, missingRule: string): string {
  try {
    if (fs.statSync(file).size > maxBytes) throw tooLarge(file, maxBytes);
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InvalidSpecError) throw err;
    throw new InvalidSpecError([{ field: file, rule: missingRule }]);
  }
}

/**
 * Parses `text` (at most `maxBytes`) and checks it with `check`; issues come back
 * as `policy.yaml:required.tier.values[1]: must be ...` — the file, then where in it.
 */
export function parseYamlDocument<T>(text: string, source: string, maxBytes: number, check: (raw: unknown) => T): T {
  if (Buffer.byteLength(text, 'utf8') > maxBytes) throw tooLarge(source, maxBytes);
  let raw: unknown;
  try {
    raw = yaml.load(text, { filename: source, schema: yaml.CORE_SCHEMA });
  } catch (err) {
    const mark = (err as { mark?: { line: number; column: number } }).mark;
    const where = mark ? ` (line ${mark.line + 1}, column ${mark.column + 1})` : '';
    const reason = (err as { reason?: string }).reason ?? (err as Error).message;
    throw new InvalidSpecError([{ field: source, rule: `is not valid YAML${where}: ${reason}` }]);
  }
  try {
    return check(raw);
  } catch (err) {
    if (!(err instanceof InvalidSpecError)) throw err;
    throw new InvalidSpecError(err.issues.map((i) => ({ field: `${source}:${i.field}`, rule: i.rule })));
  }
}

function tooLarge(file: string, maxBytes: number): InvalidSpecError {
  return new InvalidSpecError([{ field: file, rule: `must be at most ${maxBytes / 1024} KiB` }]);
}
