// A by-ID table of the security evaluators for unit tests that call a check by its ID. The binding of record is
// suites/; test/unit/suite-bindings.test.ts fails if this table and the suite files disagree.
import type { Evaluator } from '../evaluator.ts';
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
