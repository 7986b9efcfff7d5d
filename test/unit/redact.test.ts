// Secrets stay on the node: registry credentials and proxy passwords are replaced by `<redacted sha256:…>` at parse
// time, every line where it was, and the containerd checks judge the redacted file exactly as the original.
import { createHash } from 'node:crypto';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, test } from 'vitest';
import { redactCommandOutput, redactFileContent } from '../../src/facts/redact.ts';
import { secretTomlKey } from '../../src/facts/redact-toml.ts';
import { evaluateConfigParses, evaluateCriEnabled, evaluateSystemdCgroup } from '../../src/evaluate/runtime/config.ts';
import { evaluateCgroupDriversAgree } from '../../src/evaluate/kubelet/cgroup.ts';
import { profileSchema } from '../../src/profile/schema.ts';
import { defaultProfile } from '../../src/profile/defaults.ts';
import { compliantFacts, drift, file } from '../support/facts.ts';

const token = (value: string): string => `<redacted sha256:${createHash('sha256').update(value).digest('hex').slice(0, 8)}>`;
const cfg = '/etc/containerd/config.toml';
const profile = profileSchema.parse(defaultProfile);

// containerd's registry credentials, as docs/cri/registry.md documents them (containerd/containerd, release/1.7:
// `[plugins."io.containerd.grpc.v1.cri".registry.configs."gcr.io".auth]` with username, password, auth,
// identitytoken; the deprecated `registry.auths` form), and the 2.x config v3 plugin `io.containerd.cri.v1.images`.
const secrets = ['robot$ci-user', 'Pa55w0rd!v2', 'YmFzZTY0YXV0aA==', 'idtoken-v2', 'legacy-user', 'legacy-pass', 'inline-pass', 'v3-pass', 'v3 multi line'];
const v2 = `version = 2

[plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example.com".auth]
  username = "robot$ci-user"
  password = "Pa55w0rd!v2" # rotated monthly
  auth = 'YmFzZTY0YXV0aA=='
  identitytoken = "idtoken-v2"
[plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example.com".tls]
  insecure_skip_verify = false
[plugins."io.containerd.grpc.v1.cri".registry.auths."legacy.example.com"]
  username = "legacy-user"
  password = "legacy-pass"
[plugins."io.containerd.grpc.v1.cri".registry.configs."inline.example.com"]
  auth = { username = "robot$ci-user", password = "inline-pass" }
[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
    SystemdCgroup = true
`;
const v3 = `version = 3
[plugins.'io.containerd.cri.v1.images'.registry.configs.'registry.example.com'.auth]
  password = "v3-pass"
  identitytoken = """
v3 multi line"""
[plugins.'io.containerd.cri.v1.runtime'.containerd.runtimes.runc.options]
  SystemdCgroup = true
`;

describe('containerd config.toml', () => {
  test('every credential is replaced by the hash token of its value; nothing else changes', () => {
    const out = redactFileContent(cfg, v2);
    for (const s of secrets.slice(0, 7)) expect(out).not.toContain(s);
    expect(out).toContain(`password = "${token('Pa55w0rd!v2')}" # rotated monthly`);
    expect(out).toContain(`auth = "${token('YmFzZTY0YXV0aA==')}"`);
    expect(out).toContain(`  auth = { username = "${token('robot$ci-user')}", password = "${token('inline-pass')}" }`);
    // Everything that is not a credential is byte for byte the same.
    const strip = (t: string) => t.split('\n').filter((l) => !/username|password|auth =|identitytoken|inline\.example/.test(l));
    expect(strip(out)).toEqual(strip(v2));
  });

  test('config v3 (containerd 2.x), multi-line strings included, keeps its line count', () => {
    const out = redactFileContent('/etc/containerd/config.toml', v3);
    expect(out).not.toContain('v3-pass');
    expect(out).not.toContain('v3 multi line');
    expect(out.split('\n')).toHaveLength(v3.split('\n').length);
    expect(out.split('\n')[6]).toBe('  SystemdCgroup = true');
  });

  test('the redacted file is still TOML with the same tables', () => {
    const before = parseToml(v2) as Record<string, unknown>;
    const after = parseToml(redactFileContent(cfg, v2)) as Record<string, unknown>;
    expect(JSON.stringify(after, (k, v: unknown) => (['username', 'password', 'auth', 'identitytoken'].includes(k) && typeof v === 'string' ? 'X' : v))).toBe(
      JSON.stringify(before, (k, v: unknown) => (['username', 'password', 'auth', 'identitytoken'].includes(k) && typeof v === 'string' ? 'X' : v)),
    );
  });

  test('RT-2.2.1–2.2.4 give the same verdicts over the redacted file, a duplicate table on the same lines', () => {
    const duplicate = `${v2}[plugins."io.containerd.grpc.v1.cri".registry.configs."registry.example.com".auth]\n  password = "again"\n`;
    for (const text of [v2, v3, duplicate, 'version = 2\npassword = "unterminated\n']) {
      const raw = drift(compliantFacts(), { files: { [cfg]: file(text) } });
      const redacted = drift(compliantFacts(), { files: { [cfg]: file(redactFileContent(cfg, text)) } });
      for (const evaluate of [evaluateConfigParses, evaluateCriEnabled, evaluateSystemdCgroup, evaluateCgroupDriversAgree]) {
        const a = evaluate(raw, profile);
        const b = evaluate(redacted, profile);
        // Columns move when a value is shortened; lines never do.
        const same = (t: string) => t.replace(/column \d+/g, 'column N');
        expect({ status: b.status, actual: same(b.actual), message: same(b.message) }).toEqual({ status: a.status, actual: same(a.actual), message: same(a.message) });
      }
    }
    const dup = evaluateConfigParses(drift(compliantFacts(), { files: { [cfg]: file(redactFileContent(cfg, duplicate)) } }), profile);
    expect(dup).toMatchObject({ status: 'fail', actual: expect.stringMatching(/defined twice: lines 3 and 19/) });
  });

  test('a line the scanner cannot read is still redacted when its key is a credential', () => {
    const out = redactFileContent(cfg, '[plugins."io.containerd.grpc.v1.cri".registry.configs."r".auth]\n  password = "no end\n  username = "u"\n');
    expect(out).not.toContain('no end');
    expect(out.split('\n')).toHaveLength(4);
  });

  test('a header the scanner cannot read still lets a credential-named key below it be redacted', () => {
    const text = '[plugins."unterminated]\n  password = "under-bad-header"\n';
    const out = redactFileContent(cfg, text);
    expect(out).not.toContain('under-bad-header');
    expect(out.split('\n')).toHaveLength(3);
  });

  test('user-info in a mirror endpoint URL is redacted inside the TOML string', () => {
    const text = '[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\n  endpoint = ["https://mirroruser:mirror-pass@mirror.example"]\n';
    expect(redactFileContent(cfg, text)).toBe(
      `[plugins."io.containerd.grpc.v1.cri".registry.mirrors."docker.io"]\n  endpoint = ["https://${token('mirroruser:mirror-pass')}@mirror.example"]\n`,
    );
  });

  test('a TOML file is recognised by its tables even under another name', () => {
    expect(redactFileContent('/etc/containerd/custom.conf', '[plugins."io.containerd.grpc.v1.cri".registry.auths."r"]\n  password = "zzz"\n')).not.toContain('zzz');
  });

  test('which key paths are credentials', () => {
    const reg = ['plugins', 'io.containerd.grpc.v1.cri', 'registry'];
    expect(secretTomlKey([...reg, 'configs', 'r', 'auth', 'username'])).toBe(true);
    expect(secretTomlKey([...reg, 'auths', 'r', 'username'])).toBe(true);
    expect(secretTomlKey([...reg, 'headers', 'Authorization'])).toBe(true);
    expect(secretTomlKey([...reg, 'configs', 'r', 'tls', 'key_file'])).toBe(false);
    expect(secretTomlKey([...reg, 'config_path'])).toBe(false);
    expect(secretTomlKey(['plugins', 'io.containerd.grpc.v1.cri', 'containerd', 'runtimes', 'runc', 'options', 'SystemdCgroup'])).toBe(false);
    expect(secretTomlKey(['plugins', 'x', 'username'])).toBe(false);
  });
});

describe('environment files, unit Environment= lines, systemctl show', () => {
  test('EnvironmentFile= lines: a proxy URL with user-info or a credential-named variable is redacted, the key kept', () => {
    const text = [
      'HTTP_PROXY=http://proxyuser:proxyPa55@proxy.corp:3128',
      'export HTTPS_PROXY="http://proxyuser:proxyPa55@proxy.corp:3128"',
      'NO_PROXY=localhost,10.0.0.0/8',
      'REGISTRY_TOKEN=tok-123',
      'KUBELET_EXTRA_ARGS=--node-ip=10.0.0.20',
      '',
    ].join('\n');
    const out = redactFileContent('/etc/default/kubelet', text);
    expect(out).not.toMatch(/proxyPa55|tok-123/);
    expect(out.split('\n')).toEqual([
      `HTTP_PROXY=${token('http://proxyuser:proxyPa55@proxy.corp:3128')}`,
      `export HTTPS_PROXY="${token('http://proxyuser:proxyPa55@proxy.corp:3128')}"`,
      'NO_PROXY=localhost,10.0.0.0/8',
      `REGISTRY_TOKEN=${token('tok-123')}`,
      'KUBELET_EXTRA_ARGS=--node-ip=10.0.0.20',
      '',
    ]);
  });

  test('Environment= in a drop-in: the secret word is quoted with its token, the kubelet flag variables untouched', () => {
    const text = '[Service]\nEnvironment=HTTPS_PROXY=http://u:pw-in-unit@proxy:3128 "KUBELET_AUTHZ_ARGS=--authorization-mode=Webhook"\n';
    expect(redactFileContent('/etc/systemd/system/kubelet.service.d/http-proxy.conf', text)).toBe(
      `[Service]\nEnvironment="HTTPS_PROXY=${token('http://u:pw-in-unit@proxy:3128')}" "KUBELET_AUTHZ_ARGS=--authorization-mode=Webhook"\n`,
    );
  });

  test('`systemctl show -p Environment` output and journal lines lose their credentials', () => {
    const show = 'Environment=HTTP_PROXY=http://u:show-pass@proxy:3128 NO_PROXY=localhost\nMainPID=0\n';
    expect(redactCommandOutput(show)).toBe(`Environment="HTTP_PROXY=${token('http://u:show-pass@proxy:3128')}" NO_PROXY=localhost\nMainPID=0\n`);
    const journal = '2026-01-01T00:00:00 containerd[1]: pulling via http://u:journal-pass@proxy:3128 failed\n';
    expect(redactCommandOutput(journal)).toBe(`2026-01-01T00:00:00 containerd[1]: pulling via http://${token('u:journal-pass')}@proxy:3128 failed\n`);
  });

  test('PEM private keys and kubeconfig credentials, wherever they are read, keep only their line count', () => {
    const pem = '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEEIKEYMATERIAL\nmoremat\n-----END EC PRIVATE KEY-----\n';
    const out = redactFileContent('/etc/kubernetes/pki/x.yaml', `a: 1\n${pem}users:\n- user:\n    client-key-data: LS0tS0VZREFUQQ==\n    token: abc.def\n`);
    expect(out).not.toMatch(/KEYMATERIAL|moremat|LS0tS0VZREFUQQ|abc\.def/);
    expect(out.split('\n')).toHaveLength(10);
    expect(out).toContain(`    client-key-data: ${token('LS0tS0VZREFUQQ==')}`);
  });

  test("containerd's own log of its CRI config (journal tail) loses the registry credentials it prints", () => {
    // containerd pkg/cri/cri.go (1.6, 1.7): log.G(ctx).Infof("Start cri plugin with config %+v", c); AuthConfig is
    // {Username Password Auth IdentityToken}, printed by value in Auths and Headers maps. Shape as a 1.6 node logs it.
    const line =
      'Nov 30 06:29:01 worker-01 containerd[412]: time="2026-11-30T06:29:01Z" level=info msg="Start cri plugin with config {PluginConfig:{Registry:{ConfigPath: Mirrors:map[] Configs:map[registry.example.com:{Auth:0xc0003a2100 TLS:<nil>}] Auths:map[legacy.example.com:{Username:vm-robot user Password:Legacy Pass-2d9a Auth: IdentityToken:}] Headers:map[Authorization:[Bearer hdr-tok]]} DisableTCPService:true}}"\n';
    const out = redactCommandOutput(line);
    expect(out).not.toMatch(/vm-robot user|Legacy Pass-2d9a|hdr-tok/);
    expect(out).toContain(`Auths:map[legacy.example.com:{Username:${token('vm-robot user')} Password:${token('Legacy Pass-2d9a')} Auth: IdentityToken:}]`);
    expect(out).toContain(`Headers:map[Authorization:[${token('Bearer hdr-tok')}]]`);
  });

  test('JSON and quoted YAML credentials keep their quotes and commas', () => {
    const json = '{\n  "auths": {\n    "r": { "username": "ju", "password": "jp" },\n    "token": "jt",\n    "x": 1\n  }\n}\n';
    const out = redactFileContent('/etc/x/config.json', json);
    expect(out).not.toMatch(/"ju"|"jp"|"jt"/);
    expect(JSON.parse(out)).toEqual({ auths: { r: { username: token('ju'), password: token('jp') }, token: token('jt'), x: 1 } });
    expect(redactFileContent('/etc/x/k.yaml', "users:\n- user:\n    token: 'yaml-tok'\n")).toBe(`users:\n- user:\n    token: '${token('yaml-tok')}'\n`);
  });

  test('files without credentials come back unchanged', () => {
    for (const text of ['PRETTY_NAME="Ubuntu 24.04.1 LTS"\nID=ubuntu\n', 'BOOT_IMAGE=/vmlinuz root=UUID=1 ro quiet\n', 'net.ipv4.ip_forward = 1\n', '{"defaultAction":"SCMP_ACT_ERRNO"}']) {
      expect(redactFileContent('/etc/os-release', text)).toBe(text);
    }
  });
});
