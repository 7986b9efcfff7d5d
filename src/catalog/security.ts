// SEC-4.1.* and SEC-4.2.1–4.2.4: seccomp and AppArmor as the node holds them of ../shared/spec/catalog.md.
import type { CheckDeclaration } from './types.ts';

export const securityChecks: readonly CheckDeclaration[] = [];
