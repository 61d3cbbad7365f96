package fault

import (
	"errors"
	"fmt"
	"testing"
)

func TestKindOfFollowsWrapping(t *testing.T) {
	base := New(NotFound, "no such consumer")
	wrapped := fmt.Errorf("loading: %w", base)
	if got := KindOf(wrapped); got != NotFound {
		t.Fatalf("KindOf = %v, want %v", got, NotFound)
	}
	if KindOf(errors.New("plain")) != Other {
		t.Fatal("a plain error must be Other")
	}
	if !Is(wrapped, NotFound) || Is(nil, Other) {
		t.Fatal("Is disagrees with KindOf")
	}
}

func TestFieldsNilWhenEmpty(t *testing.T) {
	if err := Fields(nil); err != nil {
		t.Fatalf("Fields(nil) = %v, want nil", err)
	}
	err := Fields([]FieldError{{Field: "a", Message: "bad"}, {Field: "b", Message: "worse"}})
	if KindOf(err) != Invalid {
		t.Fatalf("kind = %v", KindOf(err))
	}
	want := "invalid request: the request has invalid fields (a: bad; b: worse)"
	if err.Error() != want {
		t.Fatalf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestPrefix(t *testing.T) {
	tests := []struct {
		name string
		in   error
		want []FieldError
	}{
		{"dotted", Field("resource.path", "bad"), []FieldError{{Field: "events[2].resource.path", Message: "bad"}}},
		{"index", Field("[0]", "bad"), []FieldError{{Field: "events[2][0]", Message: "bad"}}},
		{"whole body", Field("", "not JSON"), []FieldError{{Field: "events[2]", Message: "not JSON"}}},
		{"no fields", New(TooLarge, "too big"), []FieldError{{Field: "events[2]", Message: "too big"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fe *Error
			if !errors.As(Prefix(tt.in, "events[2]"), &fe) {
				t.Fatal("Prefix lost the *Error")
			}
			if fmt.Sprint(fe.Fields) != fmt.Sprint(tt.want) {
				t.Fatalf("fields = %v, want %v", fe.Fields, tt.want)
			}
		})
	}
	plain := errors.New("plain")
	if Prefix(plain, "x") != plain {
		t.Fatal("Prefix must pass other errors through")
	}
}

func TestWrapKeepsCause(t *testing.T) {
	cause := errors.New("connection refused")
	err := Wrap(Unavailable, cause, "the event bus is down")
	if !errors.Is(err, cause) {
		t.Fatal("Wrap must keep the cause for errors.Is")
	}
	if KindOf(err) != Unavailable {
		t.Fatalf("kind = %v", KindOf(err))
	}
}

// TestKindTitles checks that every kind has a title of its own: it is the problem's
// title and the start of Error.
func TestKindTitles(t *testing.T) {
	tests := []struct {
		kind  Kind
		title string
	}{
		{Other, "internal error"},
		{Invalid, "invalid request"},
		{Unauthorized, "unauthorized"},
		{Forbidden, "forbidden"},
		{NotFound, "not found"},
		{Conflict, "conflict"},
		{TooLarge, "request too large"},
		{Unsupported, "unsupported media type"},
		{Unavailable, "service unavailable"},
		{OverQuota, "quota exceeded"},
		{MethodNotAllowed, "method not allowed"},
		{Vetoed, "vetoed"},
	}
	if len(tests) != len(kindNames) {
		t.Fatalf("%d kinds listed here, %d declared", len(tests), len(kindNames))
	}
	for _, tt := range tests {
		if got := tt.kind.String(); got != tt.title {
			t.Errorf("Kind(%d).String() = %q, want %q", tt.kind, got, tt.title)
		}
	}
	if got := Kind(len(kindNames)).String(); got != fmt.Sprintf("kind(%d)", len(kindNames)) {
		t.Errorf("an undeclared kind is %q", got)
	}
}

func TestNotAllowedCarriesTheMethods(t *testing.T) {
	err := NotAllowed("PUT is not allowed here; use GET or DELETE", "DELETE", "GET")
	if KindOf(err) != MethodNotAllowed || fmt.Sprint(err.Allow) != "[DELETE GET]" {
		t.Fatalf("NotAllowed = %+v", err)
	}
	if want := "method not allowed: PUT is not allowed here; use GET or DELETE"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}
