// Redacts credentials in environment assignments (EnvironmentFile= files, Environment= lines, `systemctl show`
// output) and in any URL's user-info, line by line so every line keeps its number and parses as before.
import { keptNewlines, redactedToken } from './redact-token.ts';

/**
 * Variable names whose value is a credential whatever it looks like, matched as whole `_`-separated words so
 * that KUBELET_AUTHZ_ARGS (the kubelet's authorization flags, which the checks read) is not one.
 */
const secretName = /(^|_)(pass|password|passwd|secret|token|credentials?|api_?key|private_?key)(_|$)/i;
/** A URL with user-info (`http://user:pass@proxy`, `https://TOKEN@host`): the user-info is the credential. */
const urlUserInfo = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/?#@"'<>]+)@/g;

function secretAssignment(name: string, value: string): boolean {
  if (value === '' || value.startsWith('<redacted sha256:')) return false;
  urlUserInfo.lastIndex = 0;
  if (urlUserInfo.test(value)) return true;
  // A value of flags (KUBELET_EXTRA_ARGS=--...) is what the checks read, never a bare credential.
  return secretName.test(name) && !value.startsWith('-');
}

/** `user:pass@` in every URL of free text (journal lines, YAML, command lines) becomes the token. */
export function redactUrlCredentials(text: string): string {
  return text.replace(urlUserInfo, (_m, scheme: string, info: string) => `${scheme}${redactedToken(info)}@`);
}

/** One word of an Environment= line: `NAME=value`, possibly quoted; a secret one comes back double-quoted. */
function redactWord(word: string): string {
  const quote = word[0] === '"' || word[0] === "'" ? word[0] : '';
  const inner = quote && word.endsWith(quote) && word.length >= 2 ? word.slice(1, -1) : word;
  const eq = inner.indexOf('=');
  if (eq <= 0) return word;
  const name = inner.slice(0, eq);
  const value = inner.slice(eq + 1);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || !secretAssignment(name, value)) return word;
  // Quoted, because the token has a space and systemd splits Environment= on whitespace.
  return `"${name}=${redactedToken(value)}"`;
}

/** Splits an Environment= value into words and the whitespace between them, quotes grouping, so it can be rejoined. */
function words(value: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < value.length) {
    const start = i;
    if (/\s/.test(value[i] ?? '')) {
      while (i < value.length && /\s/.test(value[i] ?? '')) i++;
    } else {
      let quote = '';
      while (i < value.length && (quote !== '' || !/\s/.test(value[i] ?? ''))) {
        const c = value[i] ?? '';
        if (quote === '' && (c === '"' || c === "'")) quote = c;
        else if (quote !== '' && c === quote) quote = '';
        else if (c === '\\') i++;
        i++;
      }
    }
    out.push(value.slice(start, i));
  }
  return out;
}

const environmentLine = /^(\s*Environment\s*=)(.*)$/;
const envFileLine = /^(\s*(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=\s*)(.*?)(\s*)$/;
/** Kubeconfig-style YAML keys whose values are credentials. */
const yamlSecret = /^(\s*-?\s*["']?(?:client-key-data|token|password|id-token|refresh-token|client-secret)["']?\s*:\s*)(\S.*?)(\s*)$/;

function redactLine(line: string): string {
  const env = environmentLine.exec(line);
  if (env) return `${env[1] ?? ''}${words(env[2] ?? '').map(redactWord).join('')}`;
  const file = envFileLine.exec(line);
  if (file) {
    const [, lead = '', name = '', eq = '', raw = '', tail = ''] = file;
    const quote = raw.length >= 2 && (raw[0] === '"' || raw[0] === "'") && raw.endsWith(raw[0]) ? raw[0] : '';
    const value = quote ? raw.slice(1, -1) : raw;
    if (secretAssignment(name, value)) return `${lead}${name}${eq}${quote}${redactedToken(value)}${quote}${tail}`;
    return line;
  }
  const yaml = yamlSecret.exec(line);
  if (yaml) {
    const [, key = '', value = '', tail = ''] = yaml;
    if (value.startsWith('<redacted sha256:')) return line;
    // A quoted value (YAML or a JSON member) keeps its quotes and a trailing comma, so the document still parses.
    const quoted = /^(["'])(.*)\1(\s*,?)$/.exec(value);
    if (quoted) return `${key}${quoted[1] ?? ''}${redactedToken(quoted[2] ?? '')}${quoted[1] ?? ''}${quoted[3] ?? ''}${tail}`;
    return `${key}${redactedToken(value)}${tail}`;
  }
  return line;
}

const pemPrivateKey = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)-----[\s\S]*?-----END \1-----/g;

/** Environment assignments, kubeconfig credentials, PEM private keys and URL user-info, line structure kept. */
export function redactEnvText(text: string): string {
  const lines = text.replace(pemPrivateKey, (block) => `${redactedToken(block)}${keptNewlines(block)}`).split('\n');
  return redactUrlCredentials(lines.map(redactLine).join('\n'));
}
