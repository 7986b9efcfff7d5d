// A by-ID table of the runtime evaluators for unit tests that call a check by its ID. The binding of record is
// suites/; test/unit/suite-bindings.test.ts fails if this table and the suite files disagree.
import type { Evaluator } from '../evaluator.ts';
import { evaluateConfigParses, evaluateCriEnabled, evaluateSystemdCgroup } from './config.ts';
import { evaluateService } from './service.ts';
import { evaluateSocketApi } from './socket-api.ts';
import { evaluateSocketMode, evaluateSocketOwner } from './socket-perms.ts';
import { evaluateContainerdVersion, evaluateRuncVersion } from './versions.ts';

export const runtimeEvaluators: Record<string, Evaluator> = {
  'RT-2.1.1': evaluateService,
  'RT-2.1.2': evaluateSocketApi,
  'RT-2.1.3': evaluateContainerdVersion,
  'RT-2.1.4': evaluateRuncVersion,
  'RT-2.2.1': evaluateConfigParses,
  'RT-2.2.2': evaluateCriEnabled,
  'RT-2.2.3': evaluateSystemdCgroup,
  'RT-2.3.1': evaluateSocketMode,
  'RT-2.3.2': evaluateSocketOwner,
};
