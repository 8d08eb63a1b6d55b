// The template hash names the RC and selects its pods, so it must be identical on
// every machine and every run for the same template: a changed hash means a new RC
// and a full rollout. Hence canonical JSON (key order never matters) and a
// hand-written FNV-1a instead of node:crypto, which the workflow sandbox lacks.

/** JSON with object keys sorted at every depth; undefined properties are dropped as JSON.stringify does. */
export function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    return canonicalJson((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) {
    return `[${value.map((v) => (isOmitted(v) ? 'null' : canonicalJson(v))).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const members = Object.keys(record)
      .filter((k) => !isOmitted(record[k]))
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`);
    return `{${members.join(',')}}`;
  }
  if (typeof value === 'bigint') throw new TypeError('canonicalJson: bigint has no JSON form');
  return isOmitted(value) ? 'null' : JSON.stringify(value);
}

function isOmitted(v: unknown): boolean {
  return v === undefined || typeof v === 'function' || typeof v === 'symbol';
}

// The 64-bit state as two 32-bit halves: a BigInt per byte made the template
// hash 4.7 times slower (issue 19). FNV-1a's prime is 2^40 + 0x1b3, so
// h * prime = h * 0x1b3 + (h << 40), and every partial product stays below
// 2^53, exact in a double.
const FNV64_OFFSET_HI = 0xcbf29ce4;
const FNV64_OFFSET_LO = 0x84222325;
const FNV64_PRIME_LO = 0x1b3;
const TWO_32 = 0x1_0000_0000;

/** FNV-1a 64-bit over the UTF-8 bytes of `text`. */
export function fnv1a64(text: string): bigint {
  const bytes = utf8(text);
  let hi = FNV64_OFFSET_HI;
  let lo = FNV64_OFFSET_LO;
  for (let i = 0; i < bytes.length; i++) {
    lo = (lo ^ bytes[i]!) >>> 0;
    const low = lo * FNV64_PRIME_LO;
    hi = (hi * FNV64_PRIME_LO + Math.floor(low / TWO_32) + ((lo << 8) >>> 0)) >>> 0;
    lo = low >>> 0;
  }
  return (BigInt(hi) << 32n) | BigInt(lo);
}

/** 8 lowercase hex chars: short enough for `<name>-<hash>` to fit a 63-char name. */
export function templateHash(template: unknown): string {
  const h = fnv1a64(canonicalJson(template));
  // Fold both halves in so every input byte influences the short form.
  const folded = (h >> 32n) ^ (h & 0xffffffffn);
  return folded.toString(16).padStart(8, '0');
}

// TextEncoder exists in Node and in the workflow sandbox, but encoding by hand keeps
// domain/ free of any global it might not find in some other bundler's runtime. A lone
// surrogate is encoded as its own code point (as a for-of over the string reads it).
function utf8(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const cp = text.codePointAt(i) ?? 0;
    if (cp > 0xffff) i++;
    if (cp < 0x80) out.push(cp);
    else if (cp < 0x800) out.push(0xc0 | (cp >> 6), 0x80 | (cp & 0x3f));
    else if (cp < 0x10000) out.push(0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
    else out.push(0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 0x3f), 0x80 | ((cp >> 6) & 0x3f), 0x80 | (cp & 0x3f));
  }
  return out;
}
