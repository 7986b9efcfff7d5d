// Static security checks (seccomp, AppArmor) of the "container-escape" threat row, one test per check and node.
import { declareChecks } from '../../src/run/declare-checks.ts';

declareChecks('security', 'container-escape');
