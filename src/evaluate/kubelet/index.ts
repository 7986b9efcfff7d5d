// A by-ID table of the kubelet evaluators for unit tests that call a check by its ID. The binding of record is
// suites/; test/unit/suite-bindings.test.ts fails if this table and the suite files disagree.
import type { Evaluator } from '../evaluator.ts';
import { evaluateCgroupDriversAgree } from './cgroup.ts';
import { evaluateHardeningDropIn } from './drop-in.ts';
import { evaluateKubeadmKept } from './kubeadm-kept.ts';
import { evaluateClientCAPerms, evaluateConfigFilePerms, evaluateKubeconfigPerms, evaluateKubeProxyKubeconfigPerms, evaluateUnitFilePerms } from './perms.ts';
import { evaluateReadOnlyListener } from './read-only-port.ts';
import { evaluateEvictionHard, evaluateEvictionSoft, evaluateKubeReserved, evaluateMaxPods, evaluateSystemReserved } from './resources.ts';
import { evaluateHeld, evaluateKubeletService } from './service.ts';
import {
  evaluateAnonymousAuth,
  evaluateAuthorizationMode,
  evaluateCipherSuites,
  evaluateClientCA,
  evaluateEventQPS,
  evaluateHostnameOverride,
  evaluateIptablesChains,
  evaluatePodPids,
  evaluateProtectKernelDefaults,
  evaluateReadOnlyPort,
  evaluateRotateCertificates,
  evaluateSeccompDefault,
  evaluateServerRotation,
  evaluateServingCert,
  evaluateStreamingTimeout,
} from './settings.ts';

export const kubeletEvaluators: Record<string, Evaluator> = {
  'KUBELET-3.1.1': evaluateHeld,
  'KUBELET-3.1.3': evaluateKubeletService,
  'KUBELET-3.2.1': evaluateUnitFilePerms,
  'KUBELET-3.2.2': evaluateKubeconfigPerms,
  'KUBELET-3.2.3': evaluateClientCAPerms,
  'KUBELET-3.2.4': evaluateConfigFilePerms,
  'KUBELET-3.2.5': evaluateKubeProxyKubeconfigPerms,
  'KUBELET-3.3.1': evaluateReadOnlyPort,
  'KUBELET-3.3.2': evaluateProtectKernelDefaults,
  'KUBELET-3.3.3': evaluateEventQPS,
  'KUBELET-3.3.4': evaluateAnonymousAuth,
  'KUBELET-3.3.5': evaluateAuthorizationMode,
  'KUBELET-3.3.6': evaluateClientCA,
  'KUBELET-3.3.7': evaluateStreamingTimeout,
  'KUBELET-3.3.8': evaluateIptablesChains,
  'KUBELET-3.3.9': evaluateHostnameOverride,
  'KUBELET-3.3.10': evaluateServingCert,
  'KUBELET-3.3.11': evaluateRotateCertificates,
  'KUBELET-3.3.12': evaluateServerRotation,
  'KUBELET-3.3.13': evaluateCipherSuites,
  'KUBELET-3.3.14': evaluatePodPids,
  'KUBELET-3.3.15': evaluateSeccompDefault,
  'KUBELET-3.3.16': evaluateHardeningDropIn,
  'KUBELET-3.3.17': evaluateKubeadmKept,
  'KUBELET-3.4.1': evaluateSystemReserved,
  'KUBELET-3.4.2': evaluateKubeReserved,
  'KUBELET-3.4.3': evaluateEvictionHard,
  'KUBELET-3.4.4': evaluateEvictionSoft,
  'KUBELET-3.4.5': evaluateMaxPods,
  'KUBELET-3.5.1': evaluateReadOnlyListener,
  'RT-2.2.4': evaluateCgroupDriversAgree,
};
