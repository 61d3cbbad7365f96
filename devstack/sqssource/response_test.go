package sqssource

import (
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

func TestFailedItems(t *testing.T) {
	batch := []types.Message{{MessageId: aws.String("m1")}, {MessageId: aws.String("m2")}, {MessageId: aws.String("m3")}}
	tests := []struct {
		name      string
		response  string
		want      []string // failed message ids
		wholeFail bool
	}{
		{name: "empty response", response: ""},
		{name: "null response", response: "null"},
		{name: "empty object", response: "{}"},
		{name: "null list", response: `{"batchItemFailures":null}`},
		{name: "empty list", response: `{"batchItemFailures":[]}`},
		{name: "some failed", response: `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m3"}]}`, want: []string{"m1", "m3"}},
		{name: "all failed", response: ` {"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"m2"},{"itemIdentifier":"m3"}]} `, want: []string{"m1", "m2", "m3"}},
		{name: "listed twice", response: `{"batchItemFailures":[{"itemIdentifier":"m2"},{"itemIdentifier":"m2"}]}`, want: []string{"m2"}},
		{name: "not JSON", response: "OK", wholeFail: true},
		{name: "JSON string", response: `"ok"`, wholeFail: true},
		{name: "list of wrong type", response: `{"batchItemFailures":"m1"}`, wholeFail: true},
		{name: "unknown identifier", response: `{"batchItemFailures":[{"itemIdentifier":"m1"},{"itemIdentifier":"nope"}]}`, wholeFail: true},
		{name: "empty identifier", response: `{"batchItemFailures":[{"itemIdentifier":""}]}`, wholeFail: true},
		{name: "null identifier", response: `{"batchItemFailures":[{"itemIdentifier":null}]}`, wholeFail: true},
		{name: "bad key name", response: `{"batchItemFailures":[{"itemId":"m1"}]}`, wholeFail: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			failed, err := failedItems([]byte(tt.response), batch)
			if tt.wholeFail {
				if err == nil {
					t.Errorf("failedItems = %v, nil; want an error failing the whole batch", failed)
				}
				return
			}
			if err != nil {
				t.Fatalf("failedItems: %v", err)
			}
			if got := slices.Sorted(maps.Keys(failed)); !slices.Equal(got, tt.want) {
				t.Errorf("failed = %v, want %v", got, tt.want)
			}
		})
	}
}
