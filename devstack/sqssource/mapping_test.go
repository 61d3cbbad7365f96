package sqssource

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestMappingDefaults(t *testing.T) {
	m, err := Mapping{QueueURL: "u", QueueARN: "a", Invoker: nopInvoker{}}.withDefaults("eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	if m.BatchSize != 10 || m.Pollers != 2 || m.Region != "eu-west-1" || m.Logger == nil || m.Window != 0 {
		t.Errorf("defaults: BatchSize %d, Pollers %d, Region %q, Logger %v, Window %v; want 10, 2, eu-west-1, set, 0",
			m.BatchSize, m.Pollers, m.Region, m.Logger, m.Window)
	}
	m, err = Mapping{QueueURL: "u", QueueARN: "a", Region: "us-east-1", Invoker: nopInvoker{}}.withDefaults("eu-west-1")
	if err != nil || m.Region != "us-east-1" {
		t.Errorf("Region = %q, %v; want the mapping's us-east-1", m.Region, err)
	}
}

func TestMappingInvalid(t *testing.T) {
	valid := Mapping{QueueURL: "u", QueueARN: "a", Invoker: nopInvoker{}}
	tests := []struct {
		name   string
		change func(*Mapping)
		region string
		want   string
	}{
		{"no queue URL", func(m *Mapping) { m.QueueURL = "" }, "r", "no QueueURL"},
		{"no queue ARN", func(m *Mapping) { m.QueueARN = "" }, "r", "no QueueARN"},
		{"no region", func(m *Mapping) {}, "", "no Region"},
		{"no invoker", func(m *Mapping) { m.Invoker = nil }, "r", "no Invoker"},
		{"negative batch size", func(m *Mapping) { m.BatchSize = -1 }, "r", "BatchSize -1"},
		{"batch size too large", func(m *Mapping) { m.BatchSize, m.Window = 10001, time.Second }, "r", "BatchSize 10001"},
		{"batch size above 10 without window", func(m *Mapping) { m.BatchSize = 11 }, "r", "needs a Window"},
		{"negative window", func(m *Mapping) { m.Window = -time.Second }, "r", "Window -1s"},
		{"window too long", func(m *Mapping) { m.Window = 301 * time.Second }, "r", "Window 5m1s"},
		{"negative pollers", func(m *Mapping) { m.Pollers = -1 }, "r", "Pollers -1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := valid
			tt.change(&m)
			_, err := m.withDefaults(tt.region)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("withDefaults = %v, want an error containing %q", err, tt.want)
			}
		})
	}
	for _, ok := range []Mapping{
		{QueueURL: "u", QueueARN: "a", Invoker: nopInvoker{}, BatchSize: 10000, Window: 5 * time.Minute},
		{QueueURL: "u", QueueARN: "a", Invoker: nopInvoker{}, BatchSize: 1, Pollers: 1},
	} {
		if _, err := ok.withDefaults("r"); err != nil {
			t.Errorf("withDefaults(%+v) = %v, want no error", ok, err)
		}
	}
}

// nopInvoker is a function that succeeds without doing anything.
type nopInvoker struct{}

func (nopInvoker) InvokeBytes(context.Context, []byte) ([]byte, error) { return nil, nil }
