// Kubernetes resource quantities (`500m`, `1.5`, `128Mi`, `1G`, `2e3`), parsed
// exactly as the API server reads them, so a ceiling cannot be dodged by writing
// the same amount another way (`0.5` vs `500m`, `1Gi` vs `1073741824`).
//
//   quantity ::= [+-] number suffix
//   number   ::= digits | digits.digits | digits. | .digits
//   suffix   ::= Ki Mi Gi Ti Pi Ei | n u m "" k M G T P E | (e|E) [+-] digits

/** An exact rational value: num / den, den > 0. */
export interface Quantity {
  readonly num: bigint;
  readonly den: bigint;
}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
// Longer input is not a quantity anyone meant; the bound keeps the BigInt work small.
const MAX_LENGTH = 64;
const MAX_EXPONENT = 40;
const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([A-Za-z]*)([+-]?[0-9]*)$/;

export const QUANTITY_RULE = 'must be a Kubernetes quantity such as 500m, 2, 1.5, 128Mi or 1G';

/** The value of `v` (a string, or a number as YAML reads `cpu: 2`), or undefined when it is none. */
export function parseQuantity(v: unknown): Quantity | undefined {
  // String(1e21) is "1e+21", which the grammar reads.
  const text = typeof v === 'number' && Number.isFinite(v) ? String(v) : v;
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_LENGTH) return undefined;
  const m = SHAPE.exec(text);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction, suffix = '', exponentText = ''] = m;
  if (whole === '' && (fraction ?? '') === '') return undefined;
  let exp10: number;
  let exp2 = 0;
  // `1E` is an exa; `1E3` and `1e3` are exponents.
  if ((suffix === 'e' || suffix === 'E') && !(suffix === 'E' && exponentText === '')) {
    if (!/^[+-]?[0-9]+$/.test(exponentText)) return undefined;
    exp10 = Number(exponentText);
    if (Math.abs(exp10) > MAX_EXPONENT) return undefined;
  } else {
    if (exponentText !== '') return undefined;
    if (suffix in BINARY) exp2 = BINARY[suffix] ?? 0;
    else if (suffix in DECIMAL) exp10 = DECIMAL[suffix] ?? 0;
    else return undefined;
    exp10 ??= 0;
  }
  const digits = `${whole}${fraction ?? ''}`;
  exp10 -= (fraction ?? '').length;
  let num = BigInt(digits === '' ? '0' : digits) * 2n ** BigInt(exp2);
  let den = 1n;
  if (exp10 >= 0) num *= 10n ** BigInt(exp10);
  else den = 10n ** BigInt(-exp10);
  if (sign === '-') num = -num;
  return { num, den };
}

/** Negative, zero or positive as a is less than, equal to or greater than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}
