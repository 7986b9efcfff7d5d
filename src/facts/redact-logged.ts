// Redacts credentials that programs print about themselves: containerd's CRI plugin logs its whole config at
// start ("Start cri plugin with config %+v", pkg/cri/cri.go in 1.6/1.7), registry Auths included, and that line is
// in the journal tail the probe reads; JSON dumps carry the same fields as "password": "…".
import { redactedToken } from './redact-token.ts';

/** Go's %+v of containerd's AuthConfig: fields in declaration order, values unquoted and possibly empty. */
const goAuthConfig = /\{Username:(.*?) Password:(.*?) Auth:(.*?) IdentityToken:(.*?)\}/g;
/** Go's %+v of registry headers: map[Authorization:[Bearer …]]. */
const goAuthorizationHeader = /\b(Authorization:\[)([^\]]*)\]/g;
/** A JSON member whose key names a credential. */
const jsonCredential = /("(?:username|password|auth|identitytoken|identity_token|token|authorization)"\s*:\s*")((?:[^"\\]|\\.)*)"/gi;

const hide = (value: string): string => (value === '' ? '' : redactedToken(value));

export function redactLoggedCredentials(text: string): string {
  return text
    .replace(goAuthConfig, (_m, u: string, p: string, a: string, t: string) => `{Username:${hide(u)} Password:${hide(p)} Auth:${hide(a)} IdentityToken:${hide(t)}}`)
    .replace(goAuthorizationHeader, (_m, key: string, value: string) => `${key}${hide(value)}]`)
    .replace(jsonCredential, (_m, key: string, value: string) => `${key}${value.startsWith('<redacted sha256:') ? value : hide(value)}"`);
}
