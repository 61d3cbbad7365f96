package consumer

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

func TestConsumerConfig(t *testing.T) {
	const id = "01JDQ3ZK5V8R3X2Y7M9N4P6QTW"
	start := time.Date(2026, 11, 22, 18, 0, 0, 123456789, time.UTC)
	tests := []struct {
		name   string
		body   string
		check  func(t *testing.T, cfg jetstream.ConsumerConfig)
		policy jetstream.DeliverPolicy
	}{
		{"defaults", `{"target":{"resources":[{"path":"projects/p1","include_subresources":true}]}}`,
			func(t *testing.T, cfg jetstream.ConsumerConfig) {
				if cfg.AckWait != 30*time.Second || cfg.MaxDeliver != -1 || cfg.InactiveThreshold != 168*time.Hour {
					t.Errorf("AckWait, MaxDeliver, InactiveThreshold = %v, %d, %v; want 30s, -1, 168h", cfg.AckWait, cfg.MaxDeliver, cfg.InactiveThreshold)
				}
				if cfg.FilterSubject != "herald.events.*.*.projects.p1.>" || cfg.FilterSubjects != nil {
					t.Errorf("FilterSubject, FilterSubjects = %q, %q; want the one filter in FilterSubject", cfg.FilterSubject, cfg.FilterSubjects)
				}
				if cfg.OptStartTime != nil || cfg.OptStartSeq != 0 {
					t.Errorf("OptStartTime, OptStartSeq = %v, %d; want neither", cfg.OptStartTime, cfg.OptStartSeq)
				}
			}, jetstream.DeliverAllPolicy},
		{"settings", `{"target":{"resources":[{"path":"a"},{"path":"b"}]},"ack_wait_ms":1500,"max_deliver":3,"idle_expiry":"90m","deliver_policy":"new"}`,
			func(t *testing.T, cfg jetstream.ConsumerConfig) {
				if cfg.AckWait != 1500*time.Millisecond || cfg.MaxDeliver != 3 || cfg.InactiveThreshold != 90*time.Minute {
					t.Errorf("AckWait, MaxDeliver, InactiveThreshold = %v, %d, %v; want 1.5s, 3, 90m", cfg.AckWait, cfg.MaxDeliver, cfg.InactiveThreshold)
				}
				want := []string{"herald.events.*.*.a._", "herald.events.*.*.b._"}
				if cfg.FilterSubject != "" || !slices.Equal(cfg.FilterSubjects, want) {
					t.Errorf("FilterSubject, FilterSubjects = %q, %q; want %q in FilterSubjects", cfg.FilterSubject, cfg.FilterSubjects, want)
				}
			}, jetstream.DeliverNewPolicy},
		{"by start time", `{"target":{"all":true},"deliver_policy":"by_start_time","start_time":"2026-11-22T18:00:00.123456789Z"}`,
			func(t *testing.T, cfg jetstream.ConsumerConfig) {
				if cfg.OptStartTime == nil || !cfg.OptStartTime.Equal(start) || cfg.OptStartSeq != 0 {
					t.Errorf("OptStartTime, OptStartSeq = %v, %d; want %v to the nanosecond", cfg.OptStartTime, cfg.OptStartSeq, start)
				}
			}, jetstream.DeliverByStartTimePolicy},
		{"by start sequence", `{"target":{"all":true},"deliver_policy":"by_start_sequence","start_sequence":42}`,
			func(t *testing.T, cfg jetstream.ConsumerConfig) {
				if cfg.OptStartSeq != 42 || cfg.OptStartTime != nil {
					t.Errorf("OptStartSeq, OptStartTime = %d, %v; want 42 alone", cfg.OptStartSeq, cfg.OptStartTime)
				}
			}, jetstream.DeliverByStartSequencePolicy},
		{"last", `{"target":{"all":true},"deliver_policy":"last"}`,
			func(t *testing.T, cfg jetstream.ConsumerConfig) {}, jetstream.DeliverLastPolicy},
		{"last per subject", `{"target":{"all":true},"deliver_policy":"last_per_subject"}`,
			func(t *testing.T, cfg jetstream.ConsumerConfig) {}, jetstream.DeliverLastPerSubjectPolicy},
		{"back-off takes the place of the ack wait", `{"target":{"all":true},"ack_wait_ms":30000,"back_off":["1s","3s","1m"]}`,
			func(t *testing.T, cfg jetstream.ConsumerConfig) {
				want := []time.Duration{time.Second, 3 * time.Second, time.Minute}
				if !slices.Equal(cfg.BackOff, want) || cfg.AckWait != time.Second {
					t.Errorf("BackOff, AckWait = %v, %v; want %v and its first step", cfg.BackOff, cfg.AckWait, want)
				}
			}, jetstream.DeliverAllPolicy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := decodeSpec(t, tt.body)
			if err := s.Normalize(); err != nil {
				t.Fatal(err)
			}
			cfg := s.ConsumerConfig(id, "u-owner")
			if cfg.Durable != id || cfg.Name != "" {
				t.Errorf("Durable, Name = %q, %q; want the id as the durable name", cfg.Durable, cfg.Name)
			}
			if !strings.Contains(cfg.Description, "u-owner") {
				t.Errorf("Description = %q, want the owner named", cfg.Description)
			}
			if cfg.AckPolicy != jetstream.AckExplicitPolicy {
				t.Errorf("AckPolicy = %v, want explicit", cfg.AckPolicy)
			}
			if cfg.MaxAckPending != 10000 || cfg.MaxWaiting != 512 {
				t.Errorf("MaxAckPending, MaxWaiting = %d, %d; want 10000, 512", cfg.MaxAckPending, cfg.MaxWaiting)
			}
			if cfg.DeliverSubject != "" {
				t.Errorf("DeliverSubject = %q, want a pull consumer", cfg.DeliverSubject)
			}
			if cfg.DeliverPolicy != tt.policy {
				t.Errorf("DeliverPolicy = %v, want %v", cfg.DeliverPolicy, tt.policy)
			}
			tt.check(t, cfg)
		})
	}
}

// TestConsumerConfigDoesNotShareTheStartTime checks that the config holds its own copy:
// changing the spec afterwards must not move the start of a configured consumer.
func TestConsumerConfigDoesNotShareTheStartTime(t *testing.T) {
	start := time.Date(2026, 11, 22, 18, 0, 0, 1, time.UTC)
	s := &Spec{Target: Target{All: true}, DeliverPolicy: DeliverByStartTime, StartTime: &start}
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	cfg := s.ConsumerConfig("c1", "u1")
	*s.StartTime = start.Add(time.Hour)
	if !cfg.OptStartTime.Equal(time.Date(2026, 11, 22, 18, 0, 0, 1, time.UTC)) {
		t.Errorf("OptStartTime = %v after the spec changed, want it unchanged", cfg.OptStartTime)
	}
}

func TestConsumerConfigMaxAckPending(t *testing.T) {
	s := decodeSpec(t, `{"target":{"all":true},"max_ack_pending":25}`)
	if err := s.Normalize(); err != nil {
		t.Fatal(err)
	}
	if cfg := s.ConsumerConfig("c1", "u1"); cfg.MaxAckPending != 25 {
		t.Errorf("MaxAckPending = %d, want 25", cfg.MaxAckPending)
	}
	// A record made before the setting existed has none: the old fixed value.
	old := &Spec{Target: Target{All: true}}
	if cfg := old.ConsumerConfig("c1", "u1"); cfg.MaxAckPending != DefaultMaxAckPending {
		t.Errorf("MaxAckPending without the setting = %d, want %d", cfg.MaxAckPending, DefaultMaxAckPending)
	}
}
