// Command relay-benchsink is the fake GitHub of scripts/bench-relay.sh: it
// accepts repository_dispatch events on 127.0.0.1 as GitHub would, counts
// them, and reports the count on GET /_count. It refuses to listen on
// anything but a loopback address.
//
//	relay-benchsink -token T [-addr 127.0.0.1:0] [-repo owner/name]
//	relay-benchsink -free-port
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rotor-dev/rotor/internal/relay/relaytest"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "loopback listen address")
	repo := flag.String("repo", "acme/register", "repository, owner/name")
	token := flag.String("token", "", "the token to accept (required)")
	freePort := flag.Bool("free-port", false, "print a free loopback TCP port and exit")
	flag.Parse()
	if err := run(*addr, *repo, *token, *freePort); err != nil {
		fmt.Fprintln(os.Stderr, "relay-benchsink:", err)
		os.Exit(1)
	}
}

func run(addr, repo, token string, freePort bool) error {
	if freePort {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		defer ln.Close()
		fmt.Println(ln.Addr().(*net.TCPAddr).Port)
		return nil
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("-addr %q: only a loopback address is allowed", addr)
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || token == "" {
		return fmt.Errorf("need -repo owner/name and -token")
	}
	gh := relaytest.New(owner, name, token)
	gh.Discard = true
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_count", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintln(w, strconv.Itoa(gh.Accepted()))
	})
	mux.Handle("/", gh)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Printf("url=http://%s\n", ln.Addr())
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	return srv.Serve(ln)
}
