// A localhost/ profile as the runtime ends up filtering with it: parsed, decoded as containerd decodes it (Docker-only
// fields dropped), then validated — with JSON paths pointing into the file as written.
import { parseJson } from './json.ts';
import { decodeAsOci, type DroppedField } from './oci-decode.ts';
import type { SeccompProfile, SeccompRule } from './profile.ts';
import { validateSeccompDocument, type ValidateOptions } from './validate.ts';

export type RuntimeView =
  | {
      readonly ok: true;
      readonly profile: SeccompProfile;
      readonly dropped: readonly DroppedField[];
      readonly checkedAgainst: string;
      readonly foreignNames: readonly string[];
    }
  /** json: not JSON; decode: containerd cannot decode it (the pod fails to start); invalid: runc cannot use it. */
  | { readonly ok: false; readonly stage: 'json' | 'decode' | 'invalid'; readonly message: string };

/** Point "syscalls[k]" of the decoded document back at the rule's index in the file. */
const remap = (text: string, index: readonly number[]): string => text.replace(/^syscalls\[(\d+)\]/, (m, k: string) => `syscalls[${index[Number(k)] ?? k}]`);

function remapRule(rule: SeccompRule, index: readonly number[]): SeccompRule {
  return { ...rule, path: remap(rule.path, index), names: rule.names.map((n) => ({ ...n, path: remap(n.path, index) })) };
}

export function runtimeView(text: string, options: ValidateOptions = {}): RuntimeView {
  const parsed = parseJson(text);
  if (!parsed.ok) return { ok: false, stage: 'json', message: `JSON does not parse at line ${parsed.line}, column ${parsed.column}: ${parsed.reason}` };
  const decoded = decodeAsOci(parsed.value);
  if (!decoded.ok) return { ok: false, stage: 'decode', message: decoded.message };
  const v = validateSeccompDocument(decoded.doc, options);
  if (!v.ok) return { ok: false, stage: 'invalid', message: remap(v.message, decoded.ruleIndex) };
  const profile: SeccompProfile = { ...v.profile, syscalls: v.profile.syscalls.map((r) => remapRule(r, decoded.ruleIndex)) };
  return { ok: true, profile, dropped: decoded.dropped, checkedAgainst: v.checkedAgainst, foreignNames: v.foreignNames };
}
