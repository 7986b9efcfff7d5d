// The security checks of the container-escape threat row; title, level and remediation come from the catalog.
import { check, clusterCheck, declareChecks, liveCheck } from '../../src/run/declare-checks.ts';
import { evaluateNoSandboxEscape, evaluateReadOnlyRoot } from '../../src/evaluate/cluster/pods.ts';
import { evaluateSeccompReferences } from '../../src/evaluate/cluster/seccomp-refs.ts';
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
  liveCheck('SEC-4.2.5'),
  clusterCheck('SEC-4.2.6', evaluateSeccompReferences),
  liveCheck('SEC-4.3.1'),
  liveCheck('SEC-4.3.2'),
  liveCheck('SEC-4.3.5'),
  clusterCheck('SEC-4.3.6', evaluateNoSandboxEscape),
  clusterCheck('SEC-4.3.7', evaluateReadOnlyRoot),
]);
