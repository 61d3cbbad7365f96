package reply

import (
	"bytes"
	"strings"
	"testing"
)

func TestDerive(t *testing.T) {
	ring, err := NewKeyring(Key{ID: "k2", Secret: []byte(strings.Repeat("b", 32))}, Key{ID: "k1", Secret: []byte(strings.Repeat("a", 32))})
	if err != nil {
		t.Fatal(err)
	}
	tickets, err := ring.Derive("stream tickets")
	if err != nil {
		t.Fatal(err)
	}
	other, err := ring.Derive("something else")
	if err != nil {
		t.Fatal(err)
	}
	again, _ := ring.Derive("stream tickets")
	if len(tickets) != 2 || tickets[0].ID != "k2" || tickets[1].ID != "k1" {
		t.Fatalf("derived keys %v, want k2 then k1", tickets)
	}
	for i, k := range tickets {
		switch {
		case len(k.Secret) < MinSecretBytes:
			t.Errorf("%s: a derived secret of %d bytes", k.ID, len(k.Secret))
		case bytes.Equal(k.Secret, ring.keys[i].Secret):
			t.Errorf("%s: the derived secret is the reply secret", k.ID)
		case bytes.Equal(k.Secret, other[i].Secret):
			t.Errorf("%s: two purposes derive the same secret", k.ID)
		case !bytes.Equal(k.Secret, again[i].Secret):
			t.Errorf("%s: deriving twice gives two secrets", k.ID)
		}
	}
	if bytes.Equal(tickets[0].Secret, tickets[1].Secret) {
		t.Error("two keys derive the same secret")
	}
	if _, err := ring.Derive(""); err == nil {
		t.Error("Derive(\"\") succeeded, want an error")
	}
}
