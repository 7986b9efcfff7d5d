// KUBELET-3.* checks (and RT-2.2.4, which needs the kubelet) of ../shared/spec/catalog.md.
import type { CheckDeclaration } from './types.ts';

export const kubeletChecks: readonly CheckDeclaration[] = [];
