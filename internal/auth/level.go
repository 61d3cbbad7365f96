package auth

import (
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/fault"
)

// Level is a permission level on a resource path. Levels are ordered: a caller holding
// one level holds every lower one too.
type Level int

// The permission levels, lowest first.
const (
	None   Level = iota // no access
	Read                // read the resource and its events
	Append              // add to the resource, but not change what is there
	Write               // change the resource
	Admin               // manage the resource and who may access it
)

var levelNames = [...]string{
	None:   "NONE",
	Read:   "READ",
	Append: "APPEND",
	Write:  "WRITE",
	Admin:  "ADMIN",
}

// ParseLevel returns the level named s. Names are matched without regard to case, so
// "read" and "READ" are the same level; String gives the canonical upper-case name.
func ParseLevel(s string) (Level, error) {
	for l, name := range levelNames {
		if strings.EqualFold(s, name) {
			return Level(l), nil
		}
	}
	return None, fault.New(fault.Invalid, "a permission level must be one of NONE, READ, APPEND, WRITE or ADMIN")
}

// Valid reports whether l is one of the defined levels.
func (l Level) Valid() bool { return l >= None && l <= Admin }

// String returns the level's name, such as "READ".
func (l Level) String() string {
	if l.Valid() {
		return levelNames[l]
	}
	return fmt.Sprintf("Level(%d)", int(l))
}

// MarshalText implements encoding.TextMarshaler, so levels appear by name in JSON,
// including as the values of a map.
func (l Level) MarshalText() ([]byte, error) {
	if !l.Valid() {
		return nil, fault.Newf(fault.Invalid, "invalid permission level %d", int(l))
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseLevel.
func (l *Level) UnmarshalText(text []byte) error {
	v, err := ParseLevel(string(text))
	if err != nil {
		return err
	}
	*l = v
	return nil
}
