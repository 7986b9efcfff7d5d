// SEC-4.1.1: the kernel can run seccomp filters, judged from its build config, else from /proc/self/status, whose
// Seccomp line exists only with CONFIG_SECCOMP and Seccomp_filters (kernels ≥ 5.9) only with CONFIG_SECCOMP_FILTER.
import { cmd } from '../../facts/requirements.ts';
import { securityPaths } from '../../facts/requirements-security.ts';
import type { NodeFacts } from '../../facts/types.ts';
import { parseKernelConfig, tristate } from '../../parse/kernel-config.ts';
import { compareKernel, parseKernelRelease } from '../../parse/kernel-release.ts';
import { commandOutput, readFile } from '../host/evidence.ts';
import { error, fail, pass, type Verdict } from '../verdict.ts';

const expected = 'CONFIG_SECCOMP=y and CONFIG_SECCOMP_FILTER=y';

export function seccompKernel(facts: NodeFacts): Verdict {
  const unknown: string[] = [];
  // The probe script ends in grep, which exits 1 when no symbol matched; its "# source:" line still counts.
  const kc = commandOutput(facts, cmd.kernelConfig, 'kernel-config probe', (c) => c === 0 || c === 1);
  if (!kc.ok) unknown.push(`kernel config: ${kc.reason}`);
  else {
    const config = parseKernelConfig(kc.stdout);
    if (config.source === null) unknown.push('no kernel config (/boot/config-$(uname -r) or /proc/config.gz)');
    else {
      const seccomp = tristate(config, 'CONFIG_SECCOMP');
      const filter = tristate(config, 'CONFIG_SECCOMP_FILTER');
      const actual = `CONFIG_SECCOMP${seccomp === 'not set' ? ' is not set' : `=${seccomp}`}, CONFIG_SECCOMP_FILTER${filter === 'not set' ? ' is not set' : `=${filter}`}`;
      const e = { expected, actual, source: config.source };
      if (seccomp === 'y' && filter === 'y') return pass(e);
      return fail(e, `the running kernel was built without seccomp filters (${actual} in ${config.source}): the kubelet's RuntimeDefault and localhost profiles cannot be enforced. Boot a kernel with both options.`);
    }
  }
  const status = readFile(facts, securityPaths.procStatus);
  const source = securityPaths.procStatus;
  if (status.kind !== 'text') {
    unknown.push(status.kind === 'missing' ? `${source} does not exist` : status.reason);
    return error({ expected, actual: 'unknown', source: 'kernel config, /proc/self/status' }, `seccomp support could not be observed: ${unknown.join('; ')}`);
  }
  const seccompLine = /^Seccomp:\s*(\d+)/m.exec(status.text);
  const filtersLine = /^Seccomp_filters:\s*(\d+)/m.test(status.text);
  if (!seccompLine) {
    return fail({ expected, actual: 'no Seccomp line', source }, `${source} has no "Seccomp:" line, so the kernel was built without CONFIG_SECCOMP (${unknown.join('; ')}).`);
  }
  if (filtersLine) return pass({ expected, actual: 'Seccomp and Seccomp_filters lines present', source }, `read from ${source} because ${unknown.join('; ')}`);
  const uname = commandOutput(facts, cmd.unameRelease, 'uname -r');
  const release = uname.ok ? parseKernelRelease(uname.stdout) : undefined;
  if (release && compareKernel(release, [5, 9, 0]) >= 0) {
    return fail({ expected, actual: 'Seccomp line without Seccomp_filters', source }, `${source} has no "Seccomp_filters:" line, which kernel ${release.join('.')} prints whenever CONFIG_SECCOMP_FILTER=y: filters are not supported.`);
  }
  return error({ expected, actual: 'CONFIG_SECCOMP only', source }, `CONFIG_SECCOMP is on, but kernels older than 5.9 do not show CONFIG_SECCOMP_FILTER in ${source} and the config is unavailable (${unknown.join('; ')}).`);
}
