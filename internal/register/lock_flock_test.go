//go:build darwin || dragonfly || freebsd || linux || netbsd || openbsd

package register

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestHelperLockHolder is not a test: started by TestLockDiesWithProcess, it
// takes the lock of the register named in its environment, says so, and
// waits to be killed.
func TestHelperLockHolder(t *testing.T) {
	root := os.Getenv("ROTOR_TEST_LOCK_ROOT")
	if root == "" {
		t.Skip("runs only as a process started by TestLockDiesWithProcess")
	}
	if _, err := LockRegister(context.Background(), root, time.Second, nil); err != nil {
		os.Stdout.WriteString("error: " + err.Error() + "\n")
		os.Exit(1)
	}
	os.Stdout.WriteString("locked\n")
	time.Sleep(time.Minute)
	os.Exit(1)
}

func TestLockDiesWithProcess(t *testing.T) {
	root := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperLockHolder$")
	cmd.Env = append(os.Environ(), "ROTOR_TEST_LOCK_ROOT="+root)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if line != "locked\n" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("helper said %q", line)
	}
	if _, err := LockRegister(context.Background(), root, 50*time.Millisecond, nil); err == nil {
		t.Fatal("took the lock while another process held it")
	}
	// SIGKILL: the process gets no chance to unlock or remove the file.
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(root, LockFile)); err != nil {
		t.Fatalf("the killed process's lock file should still be there: %v", err)
	}
	l, err := LockRegister(context.Background(), root, 5*time.Second, func() { t.Error("waited for the lock of a dead process") })
	if err != nil {
		t.Fatalf("lock of a killed process not released: %v", err)
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
}
