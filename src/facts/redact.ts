// Keeps secrets on the node: every file content and command output is redacted here, on the runner, before it
// becomes a fact, so no snapshot, JUnit file or console line can carry a credential.
import { redactEnvText, redactUrlCredentials } from './redact-env.ts';
import { redactLoggedCredentials } from './redact-logged.ts';
import { redactToml } from './redact-toml.ts';

/** TOML by name, or by content: containerd's config may live anywhere --config points. */
function isToml(path: string, content: string): boolean {
  return /\.toml$/i.test(path) || /^\s*\[\s*(\[\s*)?plugins\s*[.\]]/m.test(content);
}

/** A file's text as facts may hold it: credentials replaced by `<redacted sha256:…>`, every line where it was. */
export function redactFileContent(path: string, content: string): string {
  // TOML is redacted by key path; the line rules of env files would read `password = "…" # note` as one value.
  return isToml(path, content) ? redactUrlCredentials(redactToml(content)) : redactLoggedCredentials(redactEnvText(content));
}

/** A command's stdout or stderr (`systemctl show -p Environment`, journal lines) with the same redaction. */
export function redactCommandOutput(text: string): string {
  return redactLoggedCredentials(redactEnvText(text));
}
