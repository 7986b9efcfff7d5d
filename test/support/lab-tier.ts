// Whether a lab tier (namespace lab, VM lab) may skip itself on a machine that cannot run it: locally yes, in CI
// no — NODEGATE_REQUIRE_LABS=1 (set by .ci/run) turns "cannot run here" into a failure, so CI cannot go green by
// skipping every lab.

export type Availability = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** A lab tier that NODEGATE_REQUIRE_LABS demands but this machine cannot run; thrown while its test file loads. */
export class LabRequiredError extends Error {
  override readonly name = 'LabRequiredError';
  readonly tier: string;
  readonly reason: string;
  constructor(tier: string, reason: string) {
    super(`NODEGATE_REQUIRE_LABS is set but the ${tier} cannot run here: ${reason}`);
    this.tier = tier;
    this.reason = reason;
  }
}

/** NODEGATE_REQUIRE_LABS as the other NODEGATE_* switches read: 1, true or yes; blank counts as unset. */
export function labsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test((env['NODEGATE_REQUIRE_LABS'] ?? '').trim());
}

/** The tier's availability for `describe.skipIf`, or a LabRequiredError when it is unavailable and required. */
export function requireLab(tier: string, availability: Availability, env: NodeJS.ProcessEnv = process.env): Availability {
  if (!availability.ok && labsRequired(env)) throw new LabRequiredError(tier, availability.reason);
  return availability;
}
