package inbox

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/google/uuid"

	"github.com/heraldhq/herald/internal/fault"
)

func TestParseFilter(t *testing.T) {
	tests := []struct {
		query map[string]string
		want  Filter
		field string // of the error; "" for none
	}{
		{nil, Filter{}, ""},
		{map[string]string{"variant": "PERMISSION_GRANTED"}, Filter{Variant: PermissionGranted}, ""},
		{map[string]string{"ref": "RESOURCE:projects/p1"}, Filter{Ref: &Ref{Type: RefResource, Value: "projects/p1"}}, ""},
		{map[string]string{"ref": "USER:a:b"}, Filter{Ref: &Ref{Type: RefUser, Value: "a:b"}}, ""},
		{map[string]string{"variant": "EVENT", "ref": "USER:u1"}, Filter{Variant: Event, Ref: &Ref{Type: RefUser, Value: "u1"}}, ""},
		{map[string]string{"variant": "PARTY"}, Filter{}, "variant"},
		{map[string]string{"variant": ""}, Filter{}, "variant"},
		{map[string]string{"variant": "permission_granted"}, Filter{}, "variant"},
		{map[string]string{"ref": "projects/p1"}, Filter{}, "ref"},
		{map[string]string{"ref": "GROUP:g1"}, Filter{}, "ref"},
		{map[string]string{"ref": "RESOURCE:"}, Filter{}, "ref"},
		{map[string]string{"ref": "RESOURCE:" + strings.Repeat("p", MaxRefBytes+1)}, Filter{}, "ref"},
		{map[string]string{"ref": "USER:\xff"}, Filter{}, "ref"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.query), func(t *testing.T) {
			got, err := ParseFilter(tt.query)
			if tt.field != "" {
				var e *fault.Error
				if !fault.Is(err, fault.Invalid) || !asFault(err, &e) || len(e.Fields) != 1 || e.Fields[0].Field != tt.field {
					t.Fatalf("ParseFilter = %v, want an Invalid error naming %s", err, tt.field)
				}
				return
			}
			if err != nil || got.Variant != tt.want.Variant || (got.Ref == nil) != (tt.want.Ref == nil) || (got.Ref != nil && *got.Ref != *tt.want.Ref) {
				t.Fatalf("ParseFilter = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
	// Every variant is accepted: the list is the one place that names them.
	for _, v := range Variants {
		if _, err := ParseFilter(map[string]string{"variant": string(v)}); err != nil {
			t.Errorf("variant %s refused: %v", v, err)
		}
	}
}

// TestFilteredListAndCount: listing (in every state, page by page) and counting select
// by variant and by ref, the ref's type and value both compared.
func TestFilteredListAndCount(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	u := user("u")
	p1 := Ref{RefResource, "project", "projects/p1"}
	p2 := Ref{RefResource, "project", "projects/p2"}
	asUser := Ref{RefUser, "actor", "projects/p1"} // the same value, another type
	specs := []struct {
		v    Variant
		refs []Ref
	}{
		{PermissionGranted, []Ref{p1}},
		{PermissionGranted, []Ref{p2}},
		{Announcement, nil},
		{PermissionRevoked, []Ref{p2, p1}},
		{PermissionGranted, []Ref{asUser}},
		{PermissionGranted, []Ref{p1, asUser}},
	}
	ids := make([]string, len(specs))
	for i, sp := range specs {
		n := s.New(u, Content{Variant: sp.v, Message: "m", Refs: sp.refs}, uuid.NewString(), c.t.Add(time.Duration(i)*time.Millisecond))
		if _, err := s.Put(ctx, n); err != nil {
			t.Fatal(err)
		}
		ids[i] = n.ID
	}
	if _, _, err := s.Acknowledge(ctx, u, ids[5:6]); err != nil {
		t.Fatal(err)
	}
	pick := func(is ...int) []string {
		var out []string
		for _, i := range slices.Backward(is) {
			out = append(out, ids[i])
		}
		return out
	}
	tests := []struct {
		name  string
		f     Filter
		all   []string // newest first
		count int      // unacknowledged
	}{
		{"none", Filter{}, pick(0, 1, 2, 3, 4, 5), 5},
		{"variant", Filter{Variant: PermissionGranted}, pick(0, 1, 4, 5), 3},
		{"resource", Filter{Ref: &Ref{Type: RefResource, Value: "projects/p1"}}, pick(0, 3, 5), 2},
		{"user", Filter{Ref: &Ref{Type: RefUser, Value: "projects/p1"}}, pick(4, 5), 1},
		{"both", Filter{Variant: PermissionGranted, Ref: &Ref{Type: RefResource, Value: "projects/p1"}}, pick(0, 5), 1},
		{"none match", Filter{Variant: TriggerDisabled}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, limit := range []int{1, 2, 10} {
				if got := listFiltered(t, s, u, All, tt.f, limit); !slices.Equal(got, tt.all) {
					t.Errorf("all, limit %d: %v, want %v", limit, got, tt.all)
				}
			}
			unacked := slices.DeleteFunc(slices.Clone(tt.all), func(id string) bool { return id == ids[5] })
			if got := listFiltered(t, s, u, Unacknowledged, tt.f, 2); !slices.Equal(got, unacked) {
				t.Errorf("unacknowledged: %v, want %v", got, unacked)
			}
			if n, _, err := s.Count(ctx, u, tt.f); err != nil || n != tt.count {
				t.Errorf("Count = %d, %v; want %d", n, err, tt.count)
			}
		})
	}
}

// TestFilteredListReadsBounded: a filter that matches only the oldest of more than
// MaxFilteredReads notifications answers a first page that read no more than that,
// without the match and with a cursor, and the next page finds it.
func TestFilteredListReadsBounded(t *testing.T) {
	s, c := newStore(t)
	ctx := context.Background()
	u := user("u")
	match := s.New(u, Content{Variant: TriggerDisabled, Message: "the one"}, uuid.NewString(), c.t.Add(-time.Hour))
	if _, err := s.Put(ctx, match); err != nil {
		t.Fatal(err)
	}
	var batch []types.WriteRequest
	for i := range MaxFilteredReads + 50 {
		n := s.New(u, Content{Variant: Event, Message: "other"}, uuid.NewString(), c.t.Add(time.Duration(i)*time.Millisecond))
		it, err := item(n)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
		if len(batch) == 25 {
			writeBatch(t, s, batch)
			batch = nil
		}
	}
	writeBatch(t, s, batch)
	f := Filter{Variant: TriggerDisabled}
	first, err := s.List(ctx, u, Unacknowledged, f, 20, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Items) != 0 || first.Next == "" || first.Read > MaxFilteredReads {
		t.Fatalf("first page: %d items, next %q, %d read; want none, a cursor, at most %d read", len(first.Items), first.Next, first.Read, MaxFilteredReads)
	}
	second, err := s.List(ctx, u, Unacknowledged, f, 20, first.Next)
	if err != nil {
		t.Fatal(err)
	}
	if len(second.Items) != 1 || second.Items[0].ID != match.ID || second.Next != "" {
		t.Fatalf("second page: %d items, next %q; want the match and the end", len(second.Items), second.Next)
	}
	if n, _, _ := s.Count(ctx, u, f); n != 1 {
		t.Errorf("Count = %d, want 1", n)
	}
}

func writeBatch(t *testing.T, s *Store, batch []types.WriteRequest) {
	t.Helper()
	for len(batch) > 0 {
		out, err := s.DB.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.Table: batch}})
		if err != nil {
			t.Fatal(err)
		}
		batch = out.UnprocessedItems[s.Table]
	}
}

func asFault(err error, e **fault.Error) bool { return errors.As(err, e) }
