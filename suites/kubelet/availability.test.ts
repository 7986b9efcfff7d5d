// The kubelet checks of the availability threat row; title, level and remediation come from the catalog.
import { check, clusterCheck, declareChecks } from '../../src/run/declare-checks.ts';
import { evaluateKubeletSkew, evaluateNodeReady } from '../../src/evaluate/cluster/node-status.ts';
import { evaluateKubeadmKept } from '../../src/evaluate/kubelet/kubeadm-kept.ts';
import { evaluateKubeletService } from '../../src/evaluate/kubelet/service.ts';

declareChecks('kubelet', 'availability', [
  check('KUBELET-3.1.3', evaluateKubeletService),
  check('KUBELET-3.3.17', evaluateKubeadmKept),
  clusterCheck('KUBELET-3.1.2', evaluateKubeletSkew),
  clusterCheck('KUBELET-3.1.4', evaluateNodeReady),
]);
