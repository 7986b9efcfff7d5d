// The cluster lab's CoreDNS: upstream coremain with only the plugins the lab's Corefile uses, and log
// (labs/cluster/manifests/coredns.yaml). This is CoreDNS's documented way to build a smaller plugin set
// without editing plugin.cfg; it leaves out the cloud DNS providers' SDKs, which were most of a cold build.
package main

import (
	"github.com/coredns/coredns/core/dnsserver"
	"github.com/coredns/coredns/coremain"

	_ "github.com/coredns/coredns/plugin/cache"
	_ "github.com/coredns/coredns/plugin/errors"
	_ "github.com/coredns/coredns/plugin/health"
	_ "github.com/coredns/coredns/plugin/kubernetes"
	_ "github.com/coredns/coredns/plugin/log"
	_ "github.com/coredns/coredns/plugin/loop"
	_ "github.com/coredns/coredns/plugin/ready"
	_ "github.com/coredns/coredns/plugin/reload"
)

// The same plugins in upstream's execution order (core/dnsserver/zdirectives.go): a Corefile naming any other
// plugin is refused at start, as it would be by a CoreDNS built without it.
func init() {
	dnsserver.Directives = []string{"reload", "ready", "health", "errors", "log", "cache", "kubernetes", "loop"}
}

func main() {
	coremain.Run()
}
