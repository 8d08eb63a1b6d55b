// Validation failures carry every problem at once, each naming the field and the
// rule it broke, so a user fixes a spec in one round trip instead of one per error.

export interface SpecIssue {
  /** Dotted path with [i] indices, e.g. `containers[0].ports[0].containerPort`. */
  field: string;
  /** What the value must be, e.g. `must be 1-65535`. */
  rule: string;
  /** The worker-policy entry behind the rule, e.g. `images.repositories`; absent for spec rules. */
  policy?: string;
}

export class InvalidSpecError extends Error {
  readonly issues: SpecIssue[];

  constructor(issues: SpecIssue[]) {
    super(issues.map(describeIssue).join('\n'));
    this.name = 'InvalidSpecError';
    this.issues = issues.map((i) => ({ ...i }));
  }
}

/** One-issue shorthand for checks that stop at the first problem. */
export function invalidSpec(field: string, rule: string): InvalidSpecError {
  return new InvalidSpecError([{ field, rule }]);
}

/** `field: rule`, with the policy entry when a worker policy refused it. */
export function describeIssue(i: SpecIssue): string {
  return i.policy ? `${i.field}: ${i.rule} (policy ${i.policy})` : `${i.field}: ${i.rule}`;
}
