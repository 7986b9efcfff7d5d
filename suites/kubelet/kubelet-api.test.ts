// The kubelet checks of the kubelet-api threat row; title, level and remediation come from the catalog.
import { check, declareChecks, liveCheck } from '../../src/run/declare-checks.ts';
import { evaluateHardeningDropIn } from '../../src/evaluate/kubelet/drop-in.ts';
import { evaluateClientCAPerms, evaluateConfigFilePerms, evaluateKubeProxyKubeconfigPerms, evaluateKubeconfigPerms } from '../../src/evaluate/kubelet/perms.ts';
import { evaluateReadOnlyListener } from '../../src/evaluate/kubelet/read-only-port.ts';
import { evaluateAnonymousAuth, evaluateAuthorizationMode, evaluateCipherSuites, evaluateClientCA, evaluateHostnameOverride, evaluateReadOnlyPort, evaluateRotateCertificates, evaluateServerRotation, evaluateServingCert, evaluateStreamingTimeout } from '../../src/evaluate/kubelet/settings.ts';

declareChecks('kubelet', 'kubelet-api', [
  check('KUBELET-3.2.2', evaluateKubeconfigPerms),
  check('KUBELET-3.2.3', evaluateClientCAPerms),
  check('KUBELET-3.2.4', evaluateConfigFilePerms),
  check('KUBELET-3.2.5', evaluateKubeProxyKubeconfigPerms),
  check('KUBELET-3.3.1', evaluateReadOnlyPort),
  check('KUBELET-3.3.4', evaluateAnonymousAuth),
  check('KUBELET-3.3.5', evaluateAuthorizationMode),
  check('KUBELET-3.3.6', evaluateClientCA),
  check('KUBELET-3.3.7', evaluateStreamingTimeout),
  check('KUBELET-3.3.9', evaluateHostnameOverride),
  check('KUBELET-3.3.10', evaluateServingCert),
  check('KUBELET-3.3.11', evaluateRotateCertificates),
  check('KUBELET-3.3.12', evaluateServerRotation),
  check('KUBELET-3.3.13', evaluateCipherSuites),
  check('KUBELET-3.3.16', evaluateHardeningDropIn),
  check('KUBELET-3.5.1', evaluateReadOnlyListener),
  liveCheck('KUBELET-3.5.2'),
  liveCheck('KUBELET-3.5.3'),
  liveCheck('KUBELET-3.5.4'),
]);
