// The kubelet checks of the network-traffic threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateIptablesChains } from '../../src/evaluate/kubelet/settings.ts';

declareChecks('kubelet', 'network-traffic', [
  check('KUBELET-3.3.8', evaluateIptablesChains),
]);
