// Container-runtime checks of the "availability" threat row, one test per check and node.
import { declareChecks } from '../../src/run/declare-checks.ts';

declareChecks('runtime', 'availability');
