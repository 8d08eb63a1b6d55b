// Argument parsing shared by every command: node:util parseArgs in strict
// mode plus the options all commands take (--help, --output), and the typed
// checks that turn flags into values. Bad input is a UsageError (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError, EXIT } from './errors.js';

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.invalidInput);
  }
}

type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  output: { type: 'string', short: 'o' },
} as const;

/** Parses argv strictly: unknown flags and flags missing their value are usage errors. */
export function parseCommand<O extends OptionsConfig>(command: string, argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, strict: true, allowPositionals: true });
  } catch (err) {
    // Node appends a long hint about '--' to unknown options; the first sentence is the point.
    const message = (err instanceof Error ? err.message : String(err)).split('. ')[0];
    throw new UsageError(`deployctl ${command}: ${message} (see deployctl ${command} --help)`);
  }
}

export type OutputFormat = 'text' | 'json';

export function outputFormat(value: string | undefined): OutputFormat {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new UsageError(`--output must be text or json, not "${value}"`);
}

/**
 * The format asked for, read before parsing: lets main() report even a
 * parse error as one JSON document when the caller wanted JSON.
 */
export function sniffOutputFormat(argv: string[]): OutputFormat {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--output=json' || arg === '-ojson') return 'json';
    if ((arg === '--output' || arg === '-o') && argv[i + 1] === 'json') return 'json';
  }
  return 'text';
}

export function required<T>(value: T | undefined, flag: string, command: string): T {
  if (value === undefined || value === '') throw new UsageError(`deployctl ${command}: ${flag} is required (see deployctl ${command} --help)`);
  return value;
}

export function optionalInt(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    throw new UsageError(`${flag} must be an integer >= ${min}, not "${value}"`);
  }
  return Number(value);
}

export function noPositionals(command: string, positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`deployctl ${command}: unexpected argument "${positionals[0]}" (see deployctl ${command} --help)`);
}

/** Exactly one positional: the app NAME of status, watch and the operator commands. */
export function appName(command: string, positionals: string[]): string {
  const [name, extra] = positionals;
  if (name === undefined) throw new UsageError(`deployctl ${command}: the app NAME is required (see deployctl ${command} --help)`);
  if (extra !== undefined) throw new UsageError(`deployctl ${command}: unexpected argument "${extra}"`);
  return name;
}
