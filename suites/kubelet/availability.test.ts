// The kubelet checks of the availability threat row; title, level and remediation come from the catalog.
import { check, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateKubeadmKept } from '../../src/evaluate/kubelet/kubeadm-kept.ts';
import { evaluateKubeletService } from '../../src/evaluate/kubelet/service.ts';

declareChecks('kubelet', 'availability', [
  check('KUBELET-3.1.3', evaluateKubeletService),
  check('KUBELET-3.3.17', evaluateKubeadmKept),
]);
