// Command rotor keeps a register of credentials rotated: see README.md.
package main

import (
	"context"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database

	"github.com/rotor-dev/rotor/internal/cli"
)

// version is set at release build time:
// go build -ldflags "-X main.version=v1.2.3" (see .goreleaser.yaml).
// Unset, rotor --version falls back to the module's build information.
var version string

func main() {
	tuneGC()
	cli.Version = version
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], cli.OSEnv())
	stop()
	os.Exit(code)
}

// tuneGC trades a little memory for speed: rotor is a short batch run that
// allocates many small, short-lived YAML nodes, so the default GOGC=100
// spends much of a large run collecting. A soft memory limit keeps the peak
// bounded all the same. GOGC and GOMEMLIMIT in the environment win.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		limit := int64(30 << 20)
		if len(os.Args) > 1 && os.Args[1] == "dashboard" {
			// The site is held whole in memory until it is written (about
			// 10 kB a credential): under the batch limit its live heap
			// would keep the collector running without end.
			limit = 256 << 20
		}
		debug.SetMemoryLimit(limit)
	}
}
