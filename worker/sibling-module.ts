// Modules loaded by path (the workflows to bundle, the bundler's child process) in
// the form this process runs: the TypeScript sources through tsx, or their
// compiled tree (bin/compiled-tree.js), where every .ts is a .js at the same place.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The TypeScript source of `file`, also when it is in the compiled tree (.build/<hash>/): the
 * workflows are always bundled from their sources, so the same code is the same build id
 * whichever way the worker runs.
 */
export function sourceOf(file: string): string {
  const source = file.replace(/[/\\]\.build[/\\][0-9a-f]{16}(?=[/\\])/, '');
  return source === file ? file : source.replace(/\.js$/, '.ts');
}

/** `relative` (without extension) resolved against `from` (an import.meta.url), with from's own extension. */
export function siblingModule(from: string, relative: string): string {
  return fileURLToPath(new URL(relative + path.extname(new URL(from).pathname), from));
}
