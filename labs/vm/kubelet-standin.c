/* STAND-IN for /usr/bin/kubelet in the VM lab, NOT the Kubernetes kubelet: the real binary is not installable here,
 * so this small static program lets systemd start "the kubelet" with the command line it builds from kubelet.service,
 * 10-kubeadm.conf and their EnvironmentFiles, and opens the real TCP listeners that command line and the config file
 * ask for, so the node looks to ss and to a TCP probe as a kubeadm worker does.
 *
 * It honours what the checks observe and nothing else:
 *   --config FILE / --config=FILE   top-level `readOnlyPort:`, `port:`, `protectKernelDefaults:`, `healthzPort:` lines
 *   --read-only-port N, --port N    flags beat the file, as in the kubelet; the read-only port defaults to 10255
 *                                   only without --config (KubeletConfiguration v1beta1 defaults it to 0)
 *   --container-runtime-endpoint    unix socket that must accept a connection, or the kubelet exits as when the
 *                                   CRI cannot be validated (containerd down)
 *   --protect-kernel-defaults[=B]   refuses to start when the six kernel tunables differ, with the kubelet's message
 * Every other flag is accepted silently. Built by labs/vm/build-image.sh with `gcc -static`. */
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <time.h>
#include <unistd.h>

static void klog(char level, const char *file_line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
#include <stdarg.h>
/* The kubelet logs through klog: "E1127 10:00:00.000000    1234 file.go:NN] msg"; the journal shows the same shape. */
static void klog(char level, const char *file_line, const char *fmt, ...) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  struct tm tm;
  gmtime_r(&ts.tv_sec, &tm);
  fprintf(stderr, "%c%02d%02d %02d:%02d:%02d.%06ld %7d %s] ", level, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
          tm.tm_sec, ts.tv_nsec / 1000, (int)getpid(), file_line);
  va_list ap;
  va_start(ap, fmt);
  vfprintf(stderr, fmt, ap);
  va_end(ap);
  fputc('\n', stderr);
  fflush(stderr);
}

/* strconv.ParseBool, which pflag uses for boolean flags. */
static int parse_bool(const char *s, int *out) {
  static const char *t[] = {"1", "t", "T", "true", "TRUE", "True"}, *f[] = {"0", "f", "F", "false", "FALSE", "False"};
  for (int i = 0; i < 6; i++) {
    if (!strcmp(s, t[i])) { *out = 1; return 0; }
    if (!strcmp(s, f[i])) { *out = 0; return 0; }
  }
  return -1;
}

static int parse_port(const char *s, long *out) {
  char *end;
  errno = 0;
  long v = strtol(s, &end, 10);
  if (errno || end == s || *end || v < 0 || v > 65535) return -1;
  *out = v;
  return 0;
}

struct settings {
  long port, read_only_port, healthz_port;
  int protect;
};

/* Top-level scalar keys only, the way a line-based reader can see them; quotes around the value are dropped. */
static void read_config(const char *path, struct settings *s) {
  FILE *f = fopen(path, "r");
  if (!f) {
    klog('E', "run.go:72", "\"command failed\" err=\"failed to load kubelet config file, path: %s, error: failed to load "
         "Kubelet config file %s, error failed to read kubelet config file \\\"%s\\\", error: open %s: %s, path: %s\"",
         path, path, path, path, strerror(errno), path);
    exit(1);
  }
  char line[4096];
  while (fgets(line, sizeof line, f)) {
    if (line[0] == ' ' || line[0] == '\t' || line[0] == '#') continue;
    char *colon = strchr(line, ':');
    if (!colon) continue;
    *colon = 0;
    char *v = colon + 1;
    while (*v == ' ' || *v == '\t') v++;
    v[strcspn(v, " \t\r\n#")] = 0;
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) { v[n - 1] = 0; v++; }
    long p;
    int b;
    if (!strcmp(line, "readOnlyPort") && !parse_port(v, &p)) s->read_only_port = p;
    else if (!strcmp(line, "port") && !parse_port(v, &p)) s->port = p;
    else if (!strcmp(line, "healthzPort") && !parse_port(v, &p)) s->healthz_port = p;
    else if (!strcmp(line, "protectKernelDefaults") && !parse_bool(v, &b)) s->protect = b;
  }
  fclose(f);
}

/* pflag syntax: --name=value, or --name value for non-boolean flags; booleans never take the next word. */
static const char *flag_value(int argc, char **argv, int *i, const char *name, int boolean) {
  const char *a = argv[*i];
  size_t n = strlen(name);
  if (strncmp(a, "--", 2) || strncmp(a + 2, name, n)) return NULL;
  if (a[2 + n] == '=') return a + 3 + n;
  if (a[2 + n]) return NULL;
  if (boolean) return "true";
  if (*i + 1 < argc) return argv[++*i];
  klog('E', "run.go:72", "\"command failed\" err=\"flag needs an argument: --%s\"", name);
  exit(1);
}

static void bad_flag(const char *name, const char *v) {
  klog('E', "run.go:72", "\"command failed\" err=\"invalid argument \\\"%s\\\" for \\\"--%s\\\" flag\"", v, name);
  exit(1);
}

/* pkg/kubelet/cm: setupKernelTunables(KernelTunableError), same keys, values and error text. */
static int check_kernel_defaults(void) {
  static const struct { const char *key; long want; } want[] = {
      {"vm/overcommit_memory", 1}, {"vm/panic_on_oom", 0}, {"kernel/panic", 10}, {"kernel/panic_on_oops", 1},
      {"kernel/keys/root_maxkeys", 1000000}, {"kernel/keys/root_maxbytes", 25000000}};
  char errs[2048] = "";
  int count = 0;
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
    char path[128], buf[64];
    snprintf(path, sizeof path, "/proc/sys/%s", want[i].key);
    FILE *f = fopen(path, "r");
    long got = -1;
    if (f) {
      if (fgets(buf, sizeof buf, f)) got = strtol(buf, NULL, 10);
      fclose(f);
    }
    if (got == want[i].want) continue;
    char one[256];
    snprintf(one, sizeof one, "%sinvalid kernel flag: %s, expected value: %ld, actual value: %ld", count ? ", " : "",
             want[i].key, want[i].want, got);
    strncat(errs, one, sizeof errs - strlen(errs) - 1);
    count++;
  }
  if (!count) return 0;
  /* utilerrors.NewAggregate prints one error bare and several inside brackets. */
  klog('E', "kubelet.go:1649", "\"Failed to start ContainerManager\" err=\"%s%s%s\"", count > 1 ? "[" : "", errs,
       count > 1 ? "]" : "");
  return -1;
}

/* The kubelet validates the CRI before anything else and exits when it cannot; a connect stands in for that gRPC call,
 * retried for ~5 s because at boot kubelet.service is not ordered after containerd.service. */
static int check_runtime(const char *endpoint) {
  if (!endpoint || strncmp(endpoint, "unix://", 7)) return 0;
  const char *path = endpoint + 7;
  struct sockaddr_un a = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof a.sun_path) return 0;
  strcpy(a.sun_path, path);
  int err = 0;
  for (int i = 0; i < 10; i++) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    if (fd < 0) return 0;
    int rc = connect(fd, (struct sockaddr *)&a, sizeof a);
    err = errno;
    close(fd);
    if (!rc) return 0;
    usleep(500000);
  }
  klog('E', "run.go:72", "\"command failed\" err=\"failed to run Kubelet: validate service connection: validate CRI v1 "
       "runtime API for endpoint \\\"%s\\\": rpc error: code = Unavailable desc = connection error: desc = \\\"transport: "
       "Error while dialing: dial unix %s: connect: %s\\\"\"", endpoint, path, strerror(err));
  return -1;
}

static int listen_on(long port, int loopback_only) {
  int fd = socket(loopback_only ? AF_INET : AF_INET6, SOCK_STREAM, 0), one = 1, zero = 0;
  if (fd < 0) return -1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  int rc;
  if (loopback_only) {
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = bind(fd, (struct sockaddr *)&a, sizeof a);
  } else {
    /* Go's net.Listen("tcp", "0.0.0.0:P") is a dual-stack socket: ss shows *:P, as for the real kubelet. */
    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    struct sockaddr_in6 a = {.sin6_family = AF_INET6, .sin6_port = htons(port), .sin6_addr = in6addr_any};
    rc = bind(fd, (struct sockaddr *)&a, sizeof a);
  }
  if (rc || listen(fd, 64)) {
    klog('E', "server.go:180", "\"Failed to listen and serve\" err=\"listen tcp :%ld: %s\"", port, strerror(errno));
    exit(1);
  }
  return fd;
}

static volatile sig_atomic_t stopping;
static void on_term(int sig) { (void)sig; stopping = 1; }

int main(int argc, char **argv) {
  struct settings s = {.port = 10250, .read_only_port = 10255, .healthz_port = 10248, .protect = 0};
  const char *config = NULL, *runtime = NULL, *v;
  long flag_port = -1, flag_ro = -1;
  int flag_protect = -1;
  for (int i = 1; i < argc; i++) {
    if ((v = flag_value(argc, argv, &i, "config", 0))) config = v;
    else if ((v = flag_value(argc, argv, &i, "container-runtime-endpoint", 0))) runtime = v;
    else if ((v = flag_value(argc, argv, &i, "read-only-port", 0))) { if (parse_port(v, &flag_ro)) bad_flag("read-only-port", v); }
    else if ((v = flag_value(argc, argv, &i, "port", 0))) { if (parse_port(v, &flag_port)) bad_flag("port", v); }
    else if ((v = flag_value(argc, argv, &i, "protect-kernel-defaults", 1))) {
      if (parse_bool(v, &flag_protect)) bad_flag("protect-kernel-defaults", v);
    }
  }
  if (config) {
    s.read_only_port = 0;
    read_config(config, &s);
  }
  if (flag_port >= 0) s.port = flag_port;
  if (flag_ro >= 0) s.read_only_port = flag_ro;
  if (flag_protect >= 0) s.protect = flag_protect;

  klog('I', "server.go:484", "\"Kubelet version\" kubeletVersion=\"v0.0.0-nodegate-standin\" note=\"stand-in program, "
       "not the Kubernetes kubelet\"");
  if (check_runtime(runtime)) return 1;
  if (s.protect && check_kernel_defaults()) return 1;

  struct pollfd fds[3];
  int n = 0;
  fds[n++] = (struct pollfd){.fd = listen_on(s.port, 0), .events = POLLIN};
  if (s.read_only_port) fds[n++] = (struct pollfd){.fd = listen_on(s.read_only_port, 0), .events = POLLIN};
  if (s.healthz_port) fds[n++] = (struct pollfd){.fd = listen_on(s.healthz_port, 1), .events = POLLIN};
  klog('I', "server.go:163", "\"Starting to listen\" address=\"0.0.0.0\" port=%ld", s.port);
  if (s.read_only_port) klog('I', "server.go:208", "\"Starting to listen read-only\" address=\"0.0.0.0\" port=%ld", s.read_only_port);

  struct sigaction sa = {.sa_handler = on_term};
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
  while (!stopping) {
    if (poll(fds, n, -1) < 0) continue;
    for (int i = 0; i < n; i++) {
      if (!(fds[i].revents & POLLIN)) continue;
      int c = accept(fds[i].fd, NULL, NULL);
      if (c < 0) continue;
      /* Plain HTTP "ok" on the read-only and healthz ports; the secure port speaks no TLS, it only accepts. */
      if (i > 0) { ssize_t w = write(c, ok, sizeof ok - 1); (void)w; }
      close(c);
    }
  }
  klog('I', "kubelet.go:2900", "\"Shutting down\"");
  return 0;
}
