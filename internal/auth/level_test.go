package auth

import (
	"encoding/json"
	"testing"

	"github.com/heraldhq/herald/internal/fault"
)

func TestParseLevel(t *testing.T) {
	tests := []struct {
		in      string
		want    Level
		wantErr bool
	}{
		{"NONE", None, false},
		{"READ", Read, false},
		{"APPEND", Append, false},
		{"WRITE", Write, false},
		{"ADMIN", Admin, false},
		{"read", Read, false},
		{"Write", Write, false},
		{"", None, true},
		{"OWNER", None, true},
		{" READ", None, true},
		{"1", None, true},
	}
	for _, tt := range tests {
		got, err := ParseLevel(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("ParseLevel(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if err != nil && !fault.Is(err, fault.Invalid) {
			t.Errorf("ParseLevel(%q) error kind = %v, want Invalid", tt.in, fault.KindOf(err))
		}
		if got != tt.want {
			t.Errorf("ParseLevel(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestLevelOrder(t *testing.T) {
	order := []Level{None, Read, Append, Write, Admin}
	for i := 1; i < len(order); i++ {
		if !(order[i-1] < order[i]) {
			t.Errorf("%v is not below %v", order[i-1], order[i])
		}
	}
}

func TestLevelString(t *testing.T) {
	tests := []struct {
		l    Level
		want string
	}{
		{None, "NONE"},
		{Read, "READ"},
		{Append, "APPEND"},
		{Write, "WRITE"},
		{Admin, "ADMIN"},
		{Level(9), "Level(9)"},
		{Level(-1), "Level(-1)"},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want {
			t.Errorf("Level(%d).String() = %q, want %q", int(tt.l), got, tt.want)
		}
	}
}

func TestLevelJSON(t *testing.T) {
	in := map[string]Level{"projects/p1": Read, "projects/p2": Admin}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"projects/p1":"READ","projects/p2":"ADMIN"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var out map[string]Level
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || out["projects/p1"] != Read || out["projects/p2"] != Admin {
		t.Errorf("Unmarshal = %v, want %v", out, in)
	}

	if _, err := json.Marshal(Level(7)); err == nil {
		t.Error("Marshal(Level(7)) succeeded, want an error")
	}
	var l Level
	if err := json.Unmarshal([]byte(`"SUPER"`), &l); err == nil {
		t.Error(`Unmarshal("SUPER") succeeded, want an error`)
	}
}
