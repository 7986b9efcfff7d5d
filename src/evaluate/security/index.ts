// The static SEC-4.1.*/4.2.1–4.2.4 evaluators keyed by catalog ID, for the registry.
import type { Evaluator } from '../registry.ts';
import { apparmorOn, containerdConfined } from './apparmor.ts';
import { seccompKernel } from './kernel.ts';
import { profilesDenyByDefault, profilesInstalled, profilesRunModernLibc, profilesValid } from './seccomp-profiles.ts';

export const securityEvaluators: Record<string, Evaluator> = {
  'SEC-4.1.1': seccompKernel,
  'SEC-4.1.2': apparmorOn,
  'SEC-4.1.3': containerdConfined,
  'SEC-4.2.1': profilesInstalled,
  'SEC-4.2.2': profilesValid,
  'SEC-4.2.3': profilesDenyByDefault,
  'SEC-4.2.4': profilesRunModernLibc,
};
