// Equality-based label selectors (`name=awesome-api,deployment!=7f3c1a2b`), the
// kind deployflow builds: matched in the worker against a shared watch's
// objects, so a rollout's two sides share one watch of the app.

export interface Requirement {
  key: string;
  op: '=' | '!=';
  value: string;
}

export function parseSelector(selector: string): Requirement[] {
  return selector
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => {
      const m = /^([^=!\s]+)\s*(==|=|!=)\s*([^=!\s]*)$/.exec(part);
      if (!m) throw new Error(`label selector "${selector}": "${part}" is not key=value or key!=value`);
      return { key: m[1]!, op: m[2] === '!=' ? '!=' : '=', value: m[3]! };
    });
}

/** As the apiserver does: `k!=v` also matches objects without the label `k`. */
export function matchesSelector(labels: Record<string, string> | undefined, requirements: Requirement[]): boolean {
  return requirements.every((r) => (r.op === '=' ? labels?.[r.key] === r.value : labels?.[r.key] !== r.value));
}

/** The `name=<app>` part of a selector, which every object of one app carries; undefined if there is none. */
export function appPart(requirements: Requirement[]): string | undefined {
  const name = requirements.find((r) => r.key === 'name' && r.op === '=');
  return name ? `name=${name.value}` : undefined;
}
