// The POSIX sh each step runs on the node as root (through the target's privileged shell, script on stdin): every
// ctr call bounded by timeout(1) and fed /dev/null (ctr run would otherwise read the rest of the script), every
// piece of evidence printed as an `@@ KEY VALUE` line for records.ts.

export interface StepContext {
  /** The ctr binary on the node. */
  readonly ctr: string;
  /** containerd's socket on the node. */
  readonly address: string;
  readonly namespace: string;
  readonly runId: string;
  /** timeout(1) bound on each ctr call, seconds. */
  readonly ctrTimeoutSeconds: number;
}

/** Single-quotes a word for sh. */
export const shq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The memory bomb of the guide (limit 200Mi, allocates 500M): busybox dd holds one bs-sized buffer, filled. */
export const bomb = { limitBytes: 200 * 1024 * 1024, allocate: '500M' } as const;
/** The guide's limits pod: 128Mi and 200m, i.e. memory.max 134217728 and cpu.max "20000 100000". */
export const limits = { memoryBytes: 128 * 1024 * 1024, cpus: '0.2' } as const;

function prelude(c: StepContext): string {
  return `set -u
NS=${shq(c.namespace)}
ctr_() { timeout -s KILL ${c.ctrTimeoutSeconds} ${shq(c.ctr)} --address ${shq(c.address)} -n "$NS" "$@" </dev/null; }
mark() { printf '@@ %s %s\\n' "$1" "$2"; }
markall() { while IFS= read -r l; do printf '@@ %s %s\\n' "$1" "$l"; done; }
# A container's output: its own @@ lines get the step's prefix, anything else is kept as PREFIX-out.
relay() { while IFS= read -r l; do case $l in '@@ '*) printf '@@ %s-%s\\n' "$1" "\${l#@@ }";; *) printf '@@ %s-out %s\\n' "$1" "$l";; esac; done; }
cgv() { if [ "$(stat -fc %T /sys/fs/cgroup 2>/dev/null)" = cgroup2fs ]; then echo v2; else echo v1; fi; }
`;
}

/** Writes the image (base64, wrapped) to a run-named temp file, imports it into the run's namespace, removes the file. */
export function importScript(c: StepContext, imageBase64: string): string {
  const wrapped = imageBase64.replace(/.{1,76}/g, '$&\n');
  return `${prelude(c)}tmp=$(mktemp -d /tmp/nodegate-live-${c.runId}.XXXXXX) || { mark import-exit 125; mark import-out "mktemp failed"; exit 0; }
trap 'rm -rf "$tmp"' EXIT
base64 -d >"$tmp/image.tar" <<'NODEGATE_LIVE_IMAGE'
${wrapped}NODEGATE_LIVE_IMAGE
mark decode-exit $?
out=$(ctr_ images import "$tmp/image.tar" 2>&1); rc=$?
mark import-exit $rc
printf '%s\\n' "$out" | markall import-out
ctr_ images ls -q 2>&1 | markall image
`;
}

/**
 * RES-6.2.1: the bomb runs detached in its own cgroup (/NS/NAME), is waited for, and its cgroup's OOM counter is
 * read while the stopped task still holds the cgroup (deleting the task removes it); the exit code comes from
 * the task's deletion.
 */
export function bombScript(c: StepContext, image: string, waitSeconds: number): string {
  const name = `ng-${c.runId}-bomb`;
  return `${prelude(c)}cg=$(cgv); mark cgroup "$cg"
name=${shq(name)}
# oom_score_adj 1000 first: containerd's shim passes on its own -998, which would make the node's OOM killer take sshd
# or containerd before the bomb if the limit is not enforced (the drift this check exists to find) and memory runs out.
# Best effort: a /proc that refuses the write must not stop dd, or its exit would read as "limit not enforced".
out=$(ctr_ run -d --memory-limit ${bomb.limitBytes} --cgroup "/$NS/$name" ${shq(image)} "$name" sh -c ${shq(`echo 1000 >/proc/self/oom_score_adj 2>/dev/null; exec dd if=/dev/zero of=/dev/null bs=${bomb.allocate} count=1`)} 2>&1)
mark start-exit $?
printf '%s\\n' "$out" | markall start-out
# Waited for by the clock, not a poll count: each ctr call can take a while on a loaded node.
st=; end=$(( $(date +%s) + ${Math.max(1, Math.round(waitSeconds))} ))
while :; do
  st=$(ctr_ tasks ls 2>/dev/null | awk -v id="$name" '$1 == id { print $3 }')
  [ "$st" = STOPPED ] && break
  [ "$(date +%s)" -ge "$end" ] && break
  sleep 0.2
done
mark task-status "\${st:-absent}"
if [ "$cg" = v2 ]; then d=/sys/fs/cgroup/$NS/$name; ev=$d/memory.events; lim=$d/memory.max
else d=/sys/fs/cgroup/memory/$NS/$name; ev=$d/memory.oom_control; lim=$d/memory.limit_in_bytes; fi
mark events-file "$ev"
if [ -r "$ev" ]; then markall events <"$ev"; fi
mark limit "$(cat "$lim" 2>/dev/null || echo unreadable)"
if [ "$st" = STOPPED ]; then out=$(ctr_ tasks delete "$name" 2>&1); rc=$?
else out=$(ctr_ tasks delete -f "$name" 2>&1); rc=$?; fi
mark delete-exit $rc
printf '%s\\n' "$out" | markall delete-out
ctr_ containers delete "$name" >/dev/null 2>&1
exit 0
`;
}

/** The cgroup mount the CRI gives every pod; ctr's default spec has none, so /sys/fs/cgroup would be empty inside. */
const cgroupMount = '--mount type=cgroup,src=cgroup,dst=/sys/fs/cgroup,options=ro:nosuid:noexec:nodev';

/**
 * RES-6.2.3: a container limited to 128Mi / 200m prints its own cgroup's limits: memory.max and cpu.max on cgroup
 * v2, memory.limit_in_bytes and cpu.cfs_quota_us/cpu.cfs_period_us on v1 (the same limits in v1's files).
 */
export function limitsScript(c: StepContext, image: string): string {
  // With the cgroup mount, runc shows a v1 container its own cgroup at /sys/fs/cgroup/<controller>; on v2 without a
  // cgroup namespace it mounts the hierarchy's root, so the container's own cgroup is the path /proc/self/cgroup
  // names ("0::/NS/NAME"; "0::/" inside a cgroupns). Whichever directory holds the file is printed with it.
  const inner = [
    // own ROOT CONTROLLER FILE: ROOT + the path /proc/self/cgroup gives CONTROLLER ("" is v2's "0::" line) if FILE is there, else ROOT.
    'own() { p=$(awk -F: -v c="$2" \'(c == "" && $1 == "0") || (c != "" && ("," $2 ",") ~ ("," c ",")) { print $3; exit }\' /proc/self/cgroup);',
    '  for d in "$1$p" "$1"; do [ -f "$d/$3" ] && { echo "$d"; return; }; done; echo "$1"; }',
    'if [ -f /sys/fs/cgroup/cgroup.controllers ]; then',
    '  d=$(own /sys/fs/cgroup "" memory.max); echo "@@ cgroup-dir $d"',
    '  for f in memory.max cpu.max; do echo "@@ $f $(cat "$d/$f" 2>&1)"; done',
    'else',
    '  d=$(own /sys/fs/cgroup/memory memory memory.limit_in_bytes); echo "@@ cgroup-dir $d"',
    '  echo "@@ memory.limit_in_bytes $(cat "$d/memory.limit_in_bytes" 2>&1)"',
    '  d=$(own /sys/fs/cgroup/cpu cpu cpu.cfs_quota_us); echo "@@ cgroup-dir $d"',
    '  for f in cpu.cfs_quota_us cpu.cfs_period_us; do echo "@@ $f $(cat "$d/$f" 2>&1)"; done',
    'fi',
  ].join('\n');
  return `${prelude(c)}cg=$(cgv); mark cgroup "$cg"
out=$(ctr_ run --rm --memory-limit ${limits.memoryBytes} --cpus ${limits.cpus} ${cgroupMount} ${shq(image)} ${shq(`ng-${c.runId}-limits`)} sh -c ${shq(inner)} 2>&1)
mark run-exit $?
printf '%s\\n' "$out" | relay in
exit 0
`;
}

/** The loopback port the SEC-4.2.5 workload serves on, inside the container's own network namespace. */
export const httpPort = 8080;

/**
 * SEC-4.2.5: a control container without a profile (the workload must answer and unshare must work there, or a
 * failure under the profile proves nothing), then one under the node's profile: it starts, reports its seccomp mode,
 * serves HTTP with busybox httpd and fetches it with busybox nc (both in the container's own network namespace, whose
 * loopback runc brings up: nothing leaves the node), and tries unshare.
 */
export function seccompScript(c: StepContext, image: string, profilePath: string): string {
  // The document is written by the shell, not mkdir'ed: the guide's profile denies mkdir, and a workload's files are
  // in its image anyway. busybox wget is not used: Debian's static busybox crashes in it. The container ends when sh
  // does, taking httpd with it (the profile denies kill(2)).
  const http = [
    `echo nodegate-${c.runId} >/tmp/index.html`,
    `httpd -f -p 127.0.0.1:${httpPort} -h /tmp 2>/tmp/httpd.err & h=$!`,
    // Retried while httpd starts; a server that died (gone, or a zombie) is not waited for.
    'i=0; while :; do',
    `  printf "GET /index.html HTTP/1.0\\r\\n\\r\\n" | nc -w 5 127.0.0.1 ${httpPort} >/tmp/http.out 2>/tmp/nc.err; rc=$?`,
    '  grep -q "^HTTP/1" /tmp/http.out && break; i=$((i + 1)); [ "$i" -ge 25 ] && break',
    '  [ -d "/proc/$h" ] && ! grep -q "^State:[[:space:]]*Z" "/proc/$h/status" 2>/dev/null || break; sleep 0.2',
    'done',
    'echo "@@ nc-exit $rc"; echo "@@ http-status $(head -n 1 /tmp/http.out | tr -d "\\r")"',
    `grep -qx nodegate-${c.runId} /tmp/http.out && echo "@@ http-body ours"`,
    'sed "s/^/@@ httpd-err /" /tmp/httpd.err; sed "s/^/@@ nc-err /" /tmp/nc.err',
  ].join('\n');
  const unshare = 'unshare -U true 2>/tmp/unshare.err; echo "@@ unshare-exit $?"; sed "s/^/@@ unshare-err /" /tmp/unshare.err';
  const probe = `${http}\n${unshare}`;
  const profiled = `echo "@@ started"; grep "^Seccomp:" /proc/self/status | sed "s/^Seccomp:[[:space:]]*/@@ seccomp-mode /"; ${probe}`;
  return `${prelude(c)}profile=${shq(profilePath)}
if [ -f "$profile" ]; then mark profile present; else mark profile missing; exit 0; fi
out=$(ctr_ run --rm ${shq(image)} ${shq(`ng-${c.runId}-control`)} sh -c ${shq(probe)} 2>&1)
mark control-run-exit $?
printf '%s\\n' "$out" | relay control
out=$(ctr_ run --rm --seccomp --seccomp-profile "$profile" ${shq(image)} ${shq(`ng-${c.runId}-seccomp`)} sh -c ${shq(profiled)} 2>&1)
mark profiled-run-exit $?
printf '%s\\n' "$out" | relay profiled
exit 0
`;
}

/** The profile's text, for the errno it answers unshare with. */
export const readProfileScript = (profilePath: string): string => `cat ${shq(profilePath)}`;

/**
 * Lists namespaces for the sweep, with ctr's exit code and words: a containerd that is down or refuses the socket
 * must be named, not read as "no namespaces".
 */
export function sweepScript(c: Pick<StepContext, 'ctr' | 'address' | 'ctrTimeoutSeconds'>): string {
  return `out=$(timeout -s KILL ${c.ctrTimeoutSeconds} ${shq(c.ctr)} --address ${shq(c.address)} namespaces ls -q 2>&1 </dev/null)
rc=$?
printf '@@ ls-exit %s\\n' "$rc"
if [ "$rc" = 0 ]; then printf '%s\\n' "$out" | while IFS= read -r l; do [ -n "$l" ] && printf '@@ ns %s\\n' "$l"; done
else printf '%s\\n' "$out" | while IFS= read -r l; do printf '@@ ls-out %s\\n' "$l"; done; fi
exit 0
`;
}

/**
 * Removes everything in one run's namespace, then the namespace, its cgroups and its temp files. Each part
 * tolerates the object not existing; the result says whether the namespace is gone.
 */
export function cleanupScript(c: StepContext): string {
  return `${prelude(c)}for t in $(ctr_ tasks ls -q 2>/dev/null); do ctr_ tasks kill -s SIGKILL "$t" >/dev/null 2>&1; ctr_ tasks delete -f "$t" >/dev/null 2>&1; done
for x in $(ctr_ containers ls -q 2>/dev/null); do ctr_ containers delete "$x" >/dev/null 2>&1; done
for x in $(ctr_ images ls -q 2>/dev/null); do ctr_ images rm --sync "$x" >/dev/null 2>&1; done
for x in $(ctr_ snapshots ls 2>/dev/null | awk 'NR > 1 { print $1 }'); do ctr_ snapshots rm "$x" >/dev/null 2>&1; done
for x in $(ctr_ leases ls -q 2>/dev/null); do ctr_ leases rm "$x" >/dev/null 2>&1; done
for x in $(ctr_ content ls -q 2>/dev/null); do ctr_ content rm "$x" >/dev/null 2>&1; done
for x in $(ctr_ snapshots ls 2>/dev/null | awk 'NR > 1 { print $1 }'); do ctr_ snapshots rm "$x" >/dev/null 2>&1; done
out=$(timeout -s KILL ${c.ctrTimeoutSeconds} ${shq(c.ctr)} --address ${shq(c.address)} namespaces rm "$NS" 2>&1 </dev/null)
mark namespace-rm-exit $?
printf '%s\\n' "$out" | markall namespace-rm-out
if timeout -s KILL ${c.ctrTimeoutSeconds} ${shq(c.ctr)} --address ${shq(c.address)} namespaces ls -q </dev/null | grep -qx "$NS"; then mark namespace present; else mark namespace gone; fi
for d in /sys/fs/cgroup/"$NS" /sys/fs/cgroup/*/"$NS"; do
  [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \\; 2>/dev/null
  [ -d "$d" ] && mark cgroup-left "$d"
done
rm -rf /tmp/nodegate-live-${c.runId}.* 2>/dev/null
exit 0
`;
}
