package testenv

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestEmulatorsClose checks that closing leaves no process behind.
func TestEmulatorsClose(t *testing.T) {
	e, err := startEmulators(t.Context(), env.Root)
	if err != nil {
		t.Fatal(err)
	}
	pid := e.pid()
	if err := syscall.Kill(pid, 0); err != nil {
		t.Fatalf("emulator process %d not running: %v", pid, err)
	}
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(e.sqsPort))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatalf("fauxqs not listening on %s: %v", addr, err)
	}
	c.Close()

	e.close()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process %d after close: kill 0 = %v, want ESRCH", pid, err)
	}
	if err := syscall.Kill(-pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("process group %d after close: kill 0 = %v, want ESRCH", pid, err)
	}
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Errorf("%s still accepts connections after close", addr)
	}
	e.close() // a second close is harmless
}

func TestNodeModulesFresh(t *testing.T) {
	old := time.Now().Add(-time.Hour)
	tests := []struct {
		name        string
		marker      bool
		markerTime  time.Time
		lockTime    time.Time
		packageTime time.Time
		want        bool
	}{
		{name: "missing", marker: false, lockTime: old, packageTime: old, want: false},
		{name: "newer than both", marker: true, markerTime: time.Now(), lockTime: old, packageTime: old, want: true},
		{name: "same time", marker: true, markerTime: old, lockTime: old, packageTime: old, want: true},
		{name: "lockfile changed", marker: true, markerTime: old, lockTime: time.Now(), packageTime: old, want: false},
		{name: "package.json changed", marker: true, markerTime: old, lockTime: old, packageTime: time.Now(), want: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			touch(t, filepath.Join(dir, "package-lock.json"), tt.lockTime)
			touch(t, filepath.Join(dir, "package.json"), tt.packageTime)
			if tt.marker {
				if err := os.MkdirAll(filepath.Join(dir, "node_modules"), 0o755); err != nil {
					t.Fatal(err)
				}
				touch(t, filepath.Join(dir, installMarker), tt.markerTime)
			}
			got, err := nodeModulesFresh(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("fresh = %v, want %v", got, tt.want)
			}
		})
	}
}

func touch(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}

// TestLockFile checks that the npm ci lock excludes a second holder until released.
func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".lock")
	unlock, err := lockFile(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, path); err == nil {
		t.Fatal("second lockFile succeeded while the first held the lock")
	}
	unlock()
	unlock2, err := lockFile(t.Context(), path)
	if err != nil {
		t.Fatalf("lockFile after unlock: %v", err)
	}
	unlock2()
}

// TestMissingTools checks that a machine without Node.js gets an error saying so, not a
// skipped test or a puzzling failure later.
func TestMissingTools(t *testing.T) {
	t.Setenv("PATH", t.TempDir()) // a PATH with nothing on it

	_, err := startEmulators(t.Context(), env.Root)
	if err == nil || !strings.Contains(err.Error(), "node is not on PATH") {
		t.Errorf("startEmulators without node: %v", err)
	}

	dir := t.TempDir() // no node_modules: an install is due
	touch(t, filepath.Join(dir, "package.json"), time.Now())
	touch(t, filepath.Join(dir, "package-lock.json"), time.Now())
	err = ensureNodeModules(t.Context(), dir)
	if err == nil || !strings.Contains(err.Error(), "npm is not on PATH") {
		t.Errorf("ensureNodeModules without npm: %v", err)
	}
}
