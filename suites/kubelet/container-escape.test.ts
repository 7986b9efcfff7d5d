// The kubelet checks of the container-escape threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateUnitFilePerms } from '../../src/evaluate/kubelet/perms.ts';
import { evaluateProtectKernelDefaults, evaluateSeccompDefault } from '../../src/evaluate/kubelet/settings.ts';

declareChecks('kubelet', 'container-escape', [
  check('KUBELET-3.2.1', evaluateUnitFilePerms),
  check('KUBELET-3.3.2', evaluateProtectKernelDefaults),
  check('KUBELET-3.3.15', evaluateSeccompDefault),
]);
