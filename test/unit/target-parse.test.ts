// The --target flag: every accepted form, and a one-line message naming the value for each bad one.
import { userInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.ts';
import { parseTargetSpec, targetLabel } from '../../src/target/parse.ts';

const forms = 'accepted forms: "local" or "ssh://user@host[:port]" (IPv6 as ssh://user@[::1]:22)';

describe('parseTargetSpec', () => {
  it('accepts local', () => {
    expect(parseTargetSpec('local')).toEqual({ kind: 'local' });
    expect(targetLabel(parseTargetSpec('local'))).toBe('local');
  });

  it('accepts ssh URLs with user, host and port', () => {
    expect(parseTargetSpec('ssh://ubuntu@10.0.0.20')).toEqual({ kind: 'ssh', user: 'ubuntu', host: '10.0.0.20', port: 22 });
    expect(parseTargetSpec('ssh://ops@Worker-01.Example.com:2222')).toEqual({ kind: 'ssh', user: 'ops', host: 'worker-01.example.com', port: 2222 });
    expect(parseTargetSpec('ssh://root@node1/')).toEqual({ kind: 'ssh', user: 'root', host: 'node1', port: 22 });
  });

  it('defaults the user to the current one and the port to 22', () => {
    expect(parseTargetSpec('ssh://node1')).toEqual({ kind: 'ssh', user: userInfo().username, host: 'node1', port: 22 });
  });

  it('accepts IPv6 in brackets and labels it the same way', () => {
    const spec = parseTargetSpec('ssh://core@[fd00::a:1]:2200');
    expect(spec).toEqual({ kind: 'ssh', user: 'core', host: 'fd00::a:1', port: 2200 });
    expect(targetLabel(spec)).toBe('ssh://core@[fd00::a:1]:2200');
    expect(targetLabel(parseTargetSpec('ssh://ubuntu@10.0.0.20'))).toBe('ssh://ubuntu@10.0.0.20:22');
  });

  const bad: Array<[string, string]> = [
    ['', 'invalid --target "": not a recognised target'],
    ['ubuntu@10.0.0.20', 'invalid --target "ubuntu@10.0.0.20": not a recognised target'],
    ['http://node1', 'invalid --target "http://node1": unsupported scheme "http"'],
    ['ssh://', 'invalid --target "ssh://": missing host'],
    ['ssh://ops@', 'invalid --target "ssh://ops@": missing host'],
    ['ssh://ops@node1:0', 'invalid --target "ssh://ops@node1:0": bad port "0" (1-65535)'],
    ['ssh://ops@node1:70000', 'invalid --target "ssh://ops@node1:70000": bad port "70000" (1-65535)'],
    ['ssh://ops@node1:ssh', 'invalid --target "ssh://ops@node1:ssh": bad port "ssh" (1-65535)'],
    ['ssh://ops@[zz::1]:22', 'invalid --target "ssh://ops@[zz::1]:22": bad IPv6 address "zz::1"'],
    ['ssh://ops@fd00::1', 'invalid --target "ssh://ops@fd00::1": an IPv6 address needs brackets, as in ssh://user@[fd00::1]:22'],
    ['ssh://ops@node_1', 'invalid --target "ssh://ops@node_1": bad host "node_1"'],
    ['ssh://o;ps@node1', 'invalid --target "ssh://o;ps@node1": bad user name "o;ps"'],
    ['ssh://ops@node1/etc', 'invalid --target "ssh://ops@node1/etc": not a recognised target'],
    ['ssh://ops@node1 ; rm -rf /', 'invalid --target "ssh://ops@node1 ; rm -rf /": not a recognised target'],
  ];
  it.each(bad)('rejects %j with a usage error naming it', (text, message) => {
    let error: unknown;
    try {
      parseTargetSpec(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).oneLine()).toBe(`${message} — ${forms}`);
  });
});
