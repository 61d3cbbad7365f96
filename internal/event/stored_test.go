package event

import (
	"strings"
	"testing"
)

func TestCheckStored(t *testing.T) {
	const valid = `{"event":"job.JobFinished","uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e","timestamp":"2026-11-22T18:00:00Z","resource":{"type":"job","path":"projects/p1"}}`
	own := Subject("job.JobFinished", "projects/p1")
	tests := []struct {
		name, subject, data string
		wantErr             string // "" for a valid message
		wantUUID            string // the event's uuid, returned with or without an error
	}{
		{"valid", own, valid, "", "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		{"not JSON", own, "hello", "JSON", ""},
		{"no uuid", own, strings.Replace(valid, `"uuid":"8f2792c7-b01a-4493-ba5a-d0588a4aad8e",`, "", 1), "uuid", ""},
		{"another path's subject", Subject("job.JobFinished", "projects/p2"), valid, "does not match", "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
		{"another type's subject", Subject("job.JobFailed", "projects/p1"), valid, "does not match", "8f2792c7-b01a-4493-ba5a-d0588a4aad8e"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := CheckStored(tt.subject, []byte(tt.data))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("CheckStored() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("CheckStored() = %v, want an error with %q", err, tt.wantErr)
			}
			uuid := ""
			if e != nil {
				uuid = e.UUID
			}
			if uuid != tt.wantUUID {
				t.Errorf("uuid = %q, want %q", uuid, tt.wantUUID)
			}
		})
	}
}
