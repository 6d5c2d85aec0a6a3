package register

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestLockRegister(t *testing.T) {
	t.Run("takes the lock and removes the file on unlock", func(t *testing.T) {
		root := t.TempDir()
		l, err := LockRegister(context.Background(), root, time.Second, func() { t.Error("waited for a free lock") })
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(root, LockFile)
		if l.Path() != path {
			t.Errorf("Path() = %q, want %q", l.Path(), path)
		}
		if got := lockHolder(path); got != os.Getpid() {
			t.Errorf("lock file names process %d, want %d", got, os.Getpid())
		}
		if err := l.Unlock(); err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(path); !os.IsNotExist(err) {
			t.Errorf("lock file still there after Unlock: %v", err)
		}
		if err := l.Unlock(); err != nil {
			t.Errorf("second Unlock: %v", err)
		}
	})
	t.Run("discovery skips the lock file", func(t *testing.T) {
		root := t.TempDir()
		l, err := LockRegister(context.Background(), root, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Unlock()
		files, err := Discover(root)
		if err != nil || len(files) != 0 {
			t.Errorf("Discover = %v, %v; want no files", files, err)
		}
	})
	t.Run("a second locker waits, says so once, and times out", func(t *testing.T) {
		root := t.TempDir()
		l, err := LockRegister(context.Background(), root, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Unlock()
		waited := 0
		start := time.Now()
		_, err = LockRegister(context.Background(), root, 100*time.Millisecond, func() { waited++ })
		var te *LockTimeoutError
		if !errors.Is(err, ErrLockTimeout) || !errors.As(err, &te) {
			t.Fatalf("err = %v, want a timeout", err)
		}
		if elapsed := time.Since(start); elapsed < 100*time.Millisecond || elapsed > 2*time.Second {
			t.Errorf("gave up after %s, want about 100ms", elapsed)
		}
		if waited != 1 {
			t.Errorf("waiting called %d times, want once", waited)
		}
		msg := err.Error()
		for _, want := range []string{l.Path(), "process " + strconv.Itoa(os.Getpid()), "for more than 100ms", "try again"} {
			if !strings.Contains(msg, want) {
				t.Errorf("message %q lacks %q", msg, want)
			}
		}
	})
	t.Run("a cancelled context stops the wait", func(t *testing.T) {
		root := t.TempDir()
		l, err := LockRegister(context.Background(), root, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer l.Unlock()
		ctx, cancel := context.WithCancel(context.Background())
		start := time.Now()
		_, err = LockRegister(ctx, root, time.Minute, cancel)
		if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "stopped waiting for the register lock") {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
		if elapsed := time.Since(start); elapsed > 2*time.Second {
			t.Errorf("took %s to notice the cancellation", elapsed)
		}
	})
	t.Run("a waiter gets the lock when it is released", func(t *testing.T) {
		root := t.TempDir()
		l, err := LockRegister(context.Background(), root, time.Second, nil)
		if err != nil {
			t.Fatal(err)
		}
		got := make(chan error, 1)
		waiting := make(chan struct{})
		go func() {
			l2, err := LockRegister(context.Background(), root, 10*time.Second, func() { close(waiting) })
			if err == nil {
				err = l2.Unlock()
			}
			got <- err
		}()
		<-waiting
		if err := l.Unlock(); err != nil {
			t.Fatal(err)
		}
		if err := <-got; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("a missing register folder is an error, not a wait", func(t *testing.T) {
		_, err := LockRegister(context.Background(), filepath.Join(t.TempDir(), "missing"), time.Minute, func() { t.Error("waited") })
		if err == nil || errors.Is(err, ErrLockTimeout) || !strings.Contains(err.Error(), "lock the register") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("one holder at a time", func(t *testing.T) {
		root := t.TempDir()
		var inside atomic.Int32
		var overlapped atomic.Bool
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				l, err := LockRegister(context.Background(), root, 10*time.Second, nil)
				if err != nil {
					errs <- err
					return
				}
				if inside.Add(1) > 1 {
					overlapped.Store(true)
				}
				time.Sleep(time.Millisecond)
				inside.Add(-1)
				if err := l.Unlock(); err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if overlapped.Load() {
			t.Error("two holders at once")
		}
		if _, err := os.Stat(filepath.Join(root, LockFile)); !os.IsNotExist(err) {
			t.Errorf("lock file left behind: %v", err)
		}
	})
}
