package emulator

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// installMarker is the file npm ci writes last (npm's hidden lockfile); the Makefile's
// emulators target uses the same file, so either installs for the other.
const installMarker = "node_modules/.package-lock.json"

// EnsureNodeModules makes the emulators pinned by root/local/package-lock.json ready to
// run: it runs `npm ci` in root/local unless node_modules there is at least as new as
// package.json and package-lock.json. Start calls it; the local stack may call it first to
// report the install separately.
//
// Several processes may call it at once (`go test ./...` starts many test binaries), so
// the install runs under an exclusive lock on local/.lock, and whoever gets the lock
// second finds the work done.
func EnsureNodeModules(ctx context.Context, root string) error {
	if err := ensureNodeModules(ctx, filepath.Join(root, "local")); err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	return nil
}

// ensureNodeModules is EnsureNodeModules for the package directory dir.
func ensureNodeModules(ctx context.Context, dir string) error {
	if fresh, err := nodeModulesFresh(dir); err != nil || fresh {
		return err
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		return errors.New("npm is not on PATH: the local AWS emulators (local/package.json) need Node.js 20 or newer with npm")
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, ".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	if fresh, err := nodeModulesFresh(dir); err != nil || fresh {
		return err
	}
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("npm ci in %s: %v\n%s", dir, err, tail(out, 4000))
	}
	// npm wrote the marker during the install; make sure it postdates the lockfile even
	// on file systems with coarse timestamps.
	now := time.Now()
	if err := os.Chtimes(filepath.Join(dir, installMarker), now, now); err != nil {
		return fmt.Errorf("npm ci in %s: %w", dir, err)
	}
	return nil
}

// nodeModulesFresh reports whether the install marker is at least as new as package.json
// and package-lock.json.
func nodeModulesFresh(dir string) (bool, error) {
	marker, err := os.Stat(filepath.Join(dir, installMarker))
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, name := range []string{"package.json", "package-lock.json"} {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil {
			return false, err
		}
		if marker.ModTime().Before(fi.ModTime()) {
			return false, nil
		}
	}
	return true, nil
}

// lockFile takes an exclusive flock on path, waiting as long as ctx allows.
func lockFile(ctx context.Context, path string) (unlock func(), err error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			break
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) && !errors.Is(err, syscall.EINTR) {
			f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		// Polling rather than a blocking flock keeps ctx in charge of how long we wait.
		select {
		case <-ctx.Done():
			f.Close()
			return nil, fmt.Errorf("waiting for %s (another process is running npm ci): %w", path, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
	return func() {
		syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
