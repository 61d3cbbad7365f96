package consumer

import (
	"slices"
	"testing"
)

func TestTargetKind(t *testing.T) {
	tests := []struct {
		target Target
		want   TargetKind
	}{
		{resources(exact("a")), TargetResources},
		{Target{User: "u1"}, TargetUser},
		{Target{Announcements: true}, TargetAnnouncements},
		{Target{All: true}, TargetAll},
		{Target{Resources: []ResourceTarget{}, All: true}, TargetAll},
		{Target{}, ""},
		{Target{Resources: []ResourceTarget{}}, ""},
		{Target{User: "u1", All: true}, ""},
		{Target{Resources: []ResourceTarget{exact("a")}, Announcements: true}, ""},
	}
	for _, tt := range tests {
		if got := tt.target.Kind(); got != tt.want {
			t.Errorf("%+v.Kind() = %q, want %q", tt.target, got, tt.want)
		}
	}
}

func TestScopePaths(t *testing.T) {
	tests := []struct {
		name   string
		target Target
		want   []string
	}{
		{"resources in order, once each", resources(exact("b"), sub("a"), sub("b"), exact("a/c")), []string{"b", "a", "a/c"}},
		{"user", Target{User: "u1"}, []string{"users/u1"}},
		{"announcements", Target{Announcements: true}, nil},
		{"all", Target{All: true}, nil},
		{"no target", Target{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (&Spec{Target: tt.target}).ScopePaths(); !slices.Equal(got, tt.want) {
				t.Errorf("ScopePaths() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestUserPath(t *testing.T) {
	if got := UserPath("u1"); got != "users/u1" {
		t.Errorf(`UserPath("u1") = %q, want "users/u1"`, got)
	}
}
