package template

import "testing"

func TestInt(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want int
	}{{30, 30}, {int64(15), 15}, {float64(60), 60}, {"45", 45}, {nil, 7}, {"x", 7}} {
		if got := Int(tt.v, 7); got != tt.want {
			t.Errorf("Int(%v) = %d, want %d", tt.v, got, tt.want)
		}
	}
}

func TestArnOf(t *testing.T) {
	for _, tt := range []struct {
		v    any
		want string
	}{
		{map[string]any{"Fn::GetAtt": []any{"Queue", "Arn"}}, "Queue"},
		{map[string]any{"Fn::GetAtt": "Queue.Arn"}, "Queue"},
		{map[string]any{"Fn::GetAtt": []any{"Queue", "QueueName"}}, ""},
		{map[string]any{"Ref": "Queue"}, ""},
		{"arn:aws:sqs:us-east-1:000000000000:q", ""},
	} {
		if got := ArnOf(tt.v); got != tt.want {
			t.Errorf("ArnOf(%v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}
