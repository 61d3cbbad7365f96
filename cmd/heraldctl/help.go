package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// helpFlags are the spellings of a request for help that the flag package and most
// command lines accept.
var helpFlags = []string{"-h", "-help", "--help"}

// wantsHelp reports whether a command line asks for help rather than for work: a help
// flag anywhere before a "--", since a command's flags may follow its arguments.
func wantsHelp(args []string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		if slices.Contains(helpFlags, a) {
			return true
		}
	}
	return false
}

// commandHelp writes the usage of one command: the global synopsis and the lines of the
// usage text that describe it, with their continuation lines. An unknown command gets
// the whole usage text, as "heraldctl help" does.
func commandHelp(w io.Writer, command string) {
	var lines []string
	in := false
	for line := range strings.Lines(usageText) {
		entry := strings.TrimPrefix(line, "  ")
		switch {
		case entry != line && !strings.HasPrefix(entry, " "):
			// An entry of a command list: it starts its command's name.
			in = entry == command+"\n" || strings.HasPrefix(entry, command+" ")
		case strings.HasPrefix(line, "    "):
			// A continuation line: it belongs to the entry above.
		default:
			in = false
		}
		if in {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		usage(w)
		return
	}
	fmt.Fprintf(w, "usage: heraldctl [global flags] %s ...\n\n%s\nGlobal flags: --url, --token, --output table|json, -q, --config (see heraldctl help).\n", command, strings.Join(lines, ""))
}
