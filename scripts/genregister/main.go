// Command genregister writes a synthetic register for benchmarks:
//
//	go run ./scripts/genregister -n 10000 -per-file 1 -dir /tmp/reg
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/rotor-dev/rotor/internal/register/registertest"
)

func main() {
	n := flag.Int("n", 10000, "number of credentials")
	perFile := flag.Int("per-file", 1, "credentials per file")
	dir := flag.String("dir", "", "folder to write (created; must be empty)")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "genregister: -dir is required")
		os.Exit(2)
	}
	if err := os.MkdirAll(*dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "genregister:", err)
		os.Exit(1)
	}
	files, err := registertest.Generate(*dir, *n, *perFile)
	if err != nil {
		fmt.Fprintln(os.Stderr, "genregister:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d credentials in %d files to %s\n", *n, len(files), *dir)
}
