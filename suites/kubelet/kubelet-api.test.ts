// Kubelet checks of the "kubelet-api" threat row, on the kubelet's effective configuration, one test per check and node.
import { declareChecks } from '../../src/run/declare-checks.ts';

declareChecks('kubelet', 'kubelet-api');
