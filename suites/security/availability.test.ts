// The security checks of the availability threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { profilesRunModernLibc } from '../../src/evaluate/security/seccomp-profiles.ts';

declareChecks('security', 'availability', [
  check('SEC-4.2.4', profilesRunModernLibc),
]);
