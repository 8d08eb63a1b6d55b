// Reading data that crossed a trust boundary (a pod template sent by any caller):
// only own properties count, a missing or null field reads as absent, and a list
// or mapping of the wrong kind reads as empty after the caller is told.
import { isMapping, type Mapping } from './spec-checks.js';

/** `m[key]` when `m` is a mapping that holds it itself (never an inherited `constructor`); null reads as absent. */
export function own(m: unknown, key: string): unknown {
  if (!isMapping(m) || !Object.prototype.hasOwnProperty.call(m, key)) return undefined;
  const v = m[key];
  return v === null ? undefined : v;
}

/** `own(m, key)` when it is a mapping; `bad` is called when something else stands there. */
export function ownMapping(m: unknown, key: string, bad?: () => void): Mapping | undefined {
  const v = own(m, key);
  if (v === undefined || isMapping(v)) return v;
  bad?.();
  return undefined;
}

/** `own(m, key)` when it is a list, else []; `bad` is called when something else stands there. */
export function ownList(m: unknown, key: string, bad?: () => void): unknown[] {
  const v = own(m, key);
  if (v === undefined) return [];
  if (Array.isArray(v)) return v;
  bad?.();
  return [];
}

/** The field path of `key` under `path` (`securityContext.privileged`). */
export function at(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

/** The containers of every kind a pod may hold, with the field prefix each is named by. */
export const CONTAINER_LISTS = ['containers', 'initContainers', 'ephemeralContainers'] as const;

export interface ContainerAt {
  field: string;
  container: Mapping;
}

/** Every container mapping of a pod spec, `containers[i]`, `initContainers[i]`, …; `bad` hears of what is not one. */
export function podContainers(spec: unknown, bad: (field: string) => void): ContainerAt[] {
  const out: ContainerAt[] = [];
  for (const list of CONTAINER_LISTS) {
    ownList(spec, list, () => bad(list)).forEach((c, i) => {
      if (isMapping(c)) out.push({ field: `${list}[${i}]`, container: c });
      else bad(`${list}[${i}]`);
    });
  }
  return out;
}
