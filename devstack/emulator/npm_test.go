package emulator

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

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

// touch writes a small file at path, creating its directory, and sets its times.
func touch(t *testing.T, path string, mtime time.Time) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, mtime, mtime); err != nil {
		t.Fatal(err)
	}
}
