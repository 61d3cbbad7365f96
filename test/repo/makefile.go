package repo

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// functionsVar matches the Makefile's FUNCTIONS assignment.
var functionsVar = regexp.MustCompile(`(?m)^FUNCTIONS[ \t]*[:?+]?=(.*)$`)

// MakefileFunctions parses the FUNCTIONS list of a Makefile, LogicalId:directory pairs
// from which the Makefile defines its build-<LogicalId> targets, into a map from logical
// id to directory under functions/.
func MakefileFunctions(makefile []byte) (map[string]string, error) {
	text := strings.ReplaceAll(string(makefile), "\r\n", "\n")
	text = strings.ReplaceAll(text, "\\\n", " ")
	m := functionsVar.FindStringSubmatch(text)
	if m == nil {
		return nil, errors.New("no FUNCTIONS := LogicalId:directory ... assignment")
	}
	value, _, _ := strings.Cut(m[1], "#")
	dirs := map[string]string{}
	for _, entry := range strings.Fields(value) {
		id, dir, ok := strings.Cut(entry, ":")
		if !ok || id == "" || dir == "" {
			return nil, fmt.Errorf("FUNCTIONS entry %q: want LogicalId:directory", entry)
		}
		if _, dup := dirs[id]; dup {
			return nil, fmt.Errorf("FUNCTIONS lists %s twice", id)
		}
		dirs[id] = dir
	}
	if len(dirs) == 0 {
		return nil, errors.New("FUNCTIONS is empty")
	}
	return dirs, nil
}
