// The security checks of the container-escape threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { apparmorOn, containerdConfined } from '../../src/evaluate/security/apparmor.ts';
import { seccompKernel } from '../../src/evaluate/security/kernel.ts';
import { profilesDenyByDefault, profilesInstalled, profilesValid } from '../../src/evaluate/security/seccomp-profiles.ts';

declareChecks('security', 'container-escape', [
  check('SEC-4.1.1', seccompKernel),
  check('SEC-4.1.2', apparmorOn),
  check('SEC-4.1.3', containerdConfined),
  check('SEC-4.2.1', profilesInstalled),
  check('SEC-4.2.2', profilesValid),
  check('SEC-4.2.3', profilesDenyByDefault),
]);
