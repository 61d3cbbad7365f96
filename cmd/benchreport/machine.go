package main

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// describeMachine describes this machine. The output's own cpu, goos and goarch lines,
// when present, win over what this process sees: they name where the benchmarks ran.
func describeMachine(out *Output, now time.Time) Machine {
	m := Machine{CPU: out.Config["cpu"], Cores: runtime.NumCPU(), Go: runtime.Version(), Date: now}
	if m.CPU == "" {
		m.CPU = procField("/proc/cpuinfo", "model name")
	}
	if m.CPU == "" {
		m.CPU = "unknown CPU"
	}
	if kb, err := strconv.ParseFloat(strings.TrimSuffix(procField("/proc/meminfo", "MemTotal"), " kB"), 64); err == nil {
		m.MemoryGiB = kb / (1 << 20)
	}
	goos, goarch := out.Config["goos"], out.Config["goarch"]
	if goos == "" {
		goos, goarch = runtime.GOOS, runtime.GOARCH
	}
	m.OS = goos + "/" + goarch
	if name := osRelease(); name != "" {
		m.OS += " (" + name + ")"
	}
	return m
}

// procField returns the value of the first "key: value" line of a /proc file with
// the given key, or "".
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// osRelease returns the distribution's PRETTY_NAME, or "".
func osRelease() string {
	data, err := os.ReadFile("/etc/os-release")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			return strings.Trim(v, `"`)
		}
	}
	return ""
}
