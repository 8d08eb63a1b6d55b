// Glob patterns of a worker policy: `*` matches any run of characters (none
// included), `{app}` stands for the app's name, everything else is literal. No
// RegExp is built from them: a pattern comes from a policy file and a subject
// from an untrusted caller, so matching must stay linear whatever either holds.

/** A compiled pattern: literal pieces that the stars sit between. */
export interface Glob {
  readonly source: string;
  /** Literal text between stars; `pieces.length - 1` stars in all. */
  readonly pieces: readonly string[];
}

export const APP_PLACEHOLDER = '{app}';

/**
 * Compiles `pattern`, putting `app` in place of `{app}` as literal text (an app
 * name holding a `*` must not become a wildcard).
 */
export function compileGlob(pattern: string, app = ''): Glob {
  const pieces: string[] = [''];
  for (const [i, chunk] of pattern.split(APP_PLACEHOLDER).entries()) {
    if (i > 0) pieces[pieces.length - 1] += app;
    const starred = chunk.split('*');
    pieces[pieces.length - 1] += starred[0] ?? '';
    pieces.push(...starred.slice(1));
  }
  return { source: pattern, pieces };
}

/**
 * Whether `text` matches as a whole. The first piece must start it, the last end
 * it, and each piece between is found once, left to right: taking the leftmost
 * place is always right for `*`-only globs, so there is nothing to backtrack.
 */
export function globMatches(glob: Glob, text: string): boolean {
  const { pieces } = glob;
  const first = pieces[0] ?? '';
  if (pieces.length === 1) return text === first;
  const last = pieces[pieces.length - 1] ?? '';
  if (text.length < first.length + last.length || !text.startsWith(first) || !text.endsWith(last)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = text.indexOf(piece, at);
    if (found < 0 || found + piece.length > end) return false;
    at = found + piece.length;
  }
  return true;
}

/** Whether any of `patterns` matches `text`, with `{app}` standing for `app`. */
export function matchesAny(patterns: readonly string[], text: string, app = ''): boolean {
  return patterns.some((p) => globMatches(compileGlob(p, app), text));
}
