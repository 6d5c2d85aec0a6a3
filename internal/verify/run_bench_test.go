package verify_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"testing"
	"time"

	"github.com/rotor-dev/rotor/internal/rotation"
	"github.com/rotor-dev/rotor/internal/verify"
	"github.com/rotor-dev/rotor/internal/verify/awsstore"
	"github.com/rotor-dev/rotor/internal/verify/awsstore/awsfake"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore"
	"github.com/rotor-dev/rotor/internal/verify/vaultstore/vaultfake"
)

// The register of BenchmarkRun10000: every credential was rotated on
// benchLastChanged, and every store says so.
var (
	benchToday       = rotation.MustParseDate("2026-11-27")
	benchLastChanged = rotation.MustParseDate("2026-09-01")
	benchCurrent     = time.Date(2026, 9, 1, 10, 22, 3, 0, time.UTC)
	benchPrevious    = time.Date(2026, 6, 2, 9, 15, 0, 0, time.UTC)
	benchDeprecated  = time.Date(2026, 3, 3, 8, 0, 0, 0, time.UTC)
)

// BenchmarkRun10000 is rotor verify over 10,000 credentials with sources,
// interleaved as a register mixes them: 5,000 Secrets Manager secrets
// (half named, half by ARN), 2,500 IAM users and 2,500 Vault KV version 2
// secrets. Each fake answers after 20 ms; the checkers are the adapters'
// own, built by their constructors, and Run asks verify.DefaultConcurrency
// stores at once. The target is under 20 s a run (the floor is
// 10,000 × 20 ms / 16 = 12.5 s) and under 150 MB of heap, with one call
// per credential: every secret's versions and every user's keys fit one
// page.
//
// Besides ns/op, B/op and allocs/op (the fakes' allocations included: they
// serve from this process), it reports s/run; calls/cred, the requests
// the three fakes received per credential; peakMB, the highest heap in use
// sampled every 10 ms during the runs (runtime/metrics' heap objects plus
// heap unused, what runtime.MemStats calls HeapInuse, read without
// stopping the world), the fakes' holdings included; and baseMB, the heap
// in use after setup and a collection, before the first run. On two
// cores shared with other builds a run took 15.8 s (a run whose checks
// only sleep 20 ms took 14.7 s there), peaking at 35 MB of heap.
func BenchmarkRun10000(b *testing.B) {
	const (
		n       = 10_000
		latency = 20 * time.Millisecond
	)
	awsfake.ClearEnv(b)
	sm, iam, vault := awsfake.NewSecretsManager(b), awsfake.NewIAM(b), vaultfake.New(b)
	sm.SetLatency(latency)
	iam.SetLatency(latency)
	vault.SetLatency(latency)
	// The fakes still count every call; they keep no log of 10,000
	// exchanges, which would weigh on the heap measured.
	sm.Discard, iam.Discard, vault.Discard = true, true, true

	creds := make([]*rotation.Credential, n)
	want := map[rotation.SourceKind]int{}
	for i := range creds {
		var src rotation.Source
		switch i % 4 {
		case 0, 1:
			name := fmt.Sprintf("rotor/bench/secret-%05d", i)
			arn := sm.AddSecret(name,
				awsfake.SecretVersion{ID: versionID(i, 1), Created: benchDeprecated},
				awsfake.SecretVersion{ID: versionID(i, 2), Created: benchPrevious, Stages: []string{awsfake.StagePrevious}},
				awsfake.SecretVersion{ID: versionID(i, 3), Created: benchCurrent, Stages: []string{awsfake.StageCurrent}},
			)
			id := name
			if i%4 == 1 {
				id = arn
			}
			src.AWSSecretsManager = &rotation.AWSSecretsManagerSource{Secret: id}
		case 2:
			user, key := fmt.Sprintf("svc-bench-%05d", i), fmt.Sprintf("AKIABENCH%011d", i)
			iam.AddUser(user,
				awsfake.AccessKey{ID: fmt.Sprintf("AKIABENCHOLD%08d", i), Created: benchPrevious, Status: awsfake.StatusInactive},
				awsfake.AccessKey{ID: key, Created: benchCurrent, Status: awsfake.StatusActive},
			)
			src.AWSIAMAccessKey = &rotation.AWSIAMAccessKeySource{User: user, AccessKeyID: key}
		case 3:
			path := fmt.Sprintf("bench/service-%05d", i)
			vault.Put("secret", path, benchPrevious, benchCurrent)
			src.VaultKV = &rotation.VaultKVSource{Mount: "secret", Path: path}
		}
		want[src.Kind()]++
		creds[i] = &rotation.Credential{
			ID: fmt.Sprintf("bench-%05d", i), LastChanged: benchLastChanged, PeriodDays: 90, Source: &src,
			Pos: rotation.Position{File: "credential_rotation/bench.yaml", Line: 1 + 8*i, Column: 3},
		}
	}

	aws := awsstore.Options{
		SecretsManagerEndpoint: sm.URL,
		IAMEndpoint:            iam.URL,
		LoadOptions:            awsfake.LoadOptions("us-east-1"),
	}
	vc, err := vaultstore.New(vaultstore.Options{Address: vault.URL, Token: vaultfake.Token})
	if err != nil {
		b.Fatalf("vaultstore.New: %v", err)
	}
	opts := verify.Options{
		Today:         benchToday,
		ToleranceDays: verify.DefaultToleranceDays,
		Concurrency:   verify.DefaultConcurrency,
		Checkers: map[rotation.SourceKind]verify.Checker{
			rotation.SourceAWSSecretsManager: awsstore.NewSecretsManager(aws),
			rotation.SourceAWSIAMAccessKey:   awsstore.NewIAM(aws),
			rotation.SourceVaultKV:           vc,
		},
	}

	// calls is what the fakes received so far: per kind, the one action
	// rotor verify may call, and every request whatever it asked.
	calls := func() (per map[rotation.SourceKind]int, total int) {
		per = map[rotation.SourceKind]int{
			rotation.SourceAWSSecretsManager: sm.ActionCalls("ListSecretVersionIds"),
			rotation.SourceAWSIAMAccessKey:   iam.ActionCalls("ListAccessKeys"),
			rotation.SourceVaultKV:           vault.CallsTo(vaultfake.RouteRead),
		}
		return per, sm.Total() + iam.Total() + vault.Total()
	}

	runtime.GC()
	base := heapInUse()
	stop := sampleHeap(10 * time.Millisecond)
	var (
		runs    int
		elapsed time.Duration
		seen    int
	)
	b.ReportAllocs()
	for b.Loop() {
		before, beforeTotal := calls()
		start := time.Now()
		rep, err := verify.Run(context.Background(), creds, opts)
		elapsed += time.Since(start)
		runs++
		if err != nil {
			b.Fatalf("Run: %v", err)
		}
		after, afterTotal := calls()
		for kind, w := range want {
			if got := after[kind] - before[kind]; got != w {
				b.Fatalf("%s: %d calls in a run, want %d (one per credential)", kind, got, w)
			}
		}
		seen += afterTotal - beforeTotal
		if got := afterTotal - beforeTotal; got != n {
			b.Fatalf("the fakes received %d requests in a run, want %d (one per credential)", got, n)
		}
		wantConfirmed(b, rep, n)
	}
	peak := stop()

	b.ReportMetric(elapsed.Seconds()/float64(runs), "s/run")
	b.ReportMetric(float64(seen)/float64(runs*n), "calls/cred")
	b.ReportMetric(float64(peak)/(1<<20), "peakMB")
	b.ReportMetric(float64(base)/(1<<20), "baseMB")
}

// wantConfirmed fails the benchmark unless every one of the n credentials
// got a confirmed verdict; it shows the first that did not.
func wantConfirmed(b *testing.B, rep *verify.Report, n int) {
	b.Helper()
	if len(rep.Results) == n && rep.Counts[verify.VerdictConfirmed] == n {
		return
	}
	for _, r := range rep.Results {
		if r.Verdict != verify.VerdictConfirmed {
			b.Fatalf("%d of %d results, %d confirmed; %s is %s: %s",
				len(rep.Results), n, rep.Counts[verify.VerdictConfirmed], r.ID, r.Verdict, r.Detail)
		}
	}
	b.Fatalf("%d results, want %d", len(rep.Results), n)
}

// versionID is a Secrets Manager version id (a UUID) for version v of
// secret i.
func versionID(i, v int) string {
	return fmt.Sprintf("%08x-0000-4000-8000-%012x", i, v)
}

// heapMetrics sum to runtime.MemStats' HeapInuse: the bytes of the heap's
// spans in use.
var heapMetrics = []string{"/memory/classes/heap/objects:bytes", "/memory/classes/heap/unused:bytes"}

// heapInUse reads the heap in use without stopping the world.
func heapInUse() uint64 {
	s := make([]metrics.Sample, len(heapMetrics))
	for i, name := range heapMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	var sum uint64
	for _, x := range s {
		sum += x.Value.Uint64()
	}
	return sum
}

// sampleHeap reads the heap in use every interval until the returned
// function is called, which returns the highest reading.
func sampleHeap(interval time.Duration) (stop func() uint64) {
	var (
		peak = heapInUse()
		done = make(chan struct{})
		wg   sync.WaitGroup
	)
	wg.Go(func() {
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				peak = max(peak, heapInUse())
			case <-done:
				return
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return max(peak, heapInUse())
	}
}
