// Text for people or exactly one JSON document for machines: a command says
// what it has to report, Output decides where and how it is written.
import type { SpecIssue } from '../domain/errors.js';
import type { OutputFormat } from './args.js';
import type { CliIo } from './io.js';

export class Output {
  constructor(
    readonly io: CliIo,
    readonly format: OutputFormat,
  ) {}

  get isJson(): boolean {
    return this.format === 'json';
  }

  /** The command's one JSON document (json mode only). */
  document(value: unknown): void {
    this.io.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  /** A line of the text report; nothing in json mode, where stdout is the document alone. */
  line(text = ''): void {
    if (!this.isJson) this.io.stdout.write(text + '\n');
  }

  /** Diagnostics go to stderr in both modes, so they never corrupt the JSON. */
  note(text: string): void {
    this.io.stderr.write(text + '\n');
  }
}

export function writeIssues(io: CliIo, issues: SpecIssue[], indent = ''): void {
  for (const issue of issues) io.stderr.write(`${indent}${issue.field}: ${issue.rule}\n`);
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(headers.map((h) => h.toUpperCase())), ...rows.map(format)].join('\n');
}

/** UTC, to the second: the same in every CI log and on every laptop. */
export function formatTime(date: Date | undefined): string {
  return date ? date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '-';
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
