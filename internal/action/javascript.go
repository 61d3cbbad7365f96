package action

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/heraldhq/herald/internal/bus"
	"github.com/heraldhq/herald/internal/event"
	"github.com/heraldhq/herald/internal/script"
)

// compiled caches compiled scripts by entry point and source: a trigger's script runs
// for many events, and compiling it each time would cost more than running it.
var compiled sync.Map // string → *script.Script

// compile returns src compiled for entry ("handle" or "transform").
func compile(src, entry string) (*script.Script, error) {
	key := entry + "\x00" + src
	if s, ok := compiled.Load(key); ok {
		return s.(*script.Script), nil
	}
	s, err := script.Compile(src, entry)
	if err != nil {
		return nil, err
	}
	compiled.Store(key, s)
	return s, nil
}

// runTransform runs a transform script on the event and returns its result, the
// payload delivered instead.
func runTransform(ctx context.Context, src string, raw json.RawMessage) (json.RawMessage, error) {
	s, err := compile(src, "transform")
	if err != nil {
		return nil, err
	}
	return s.Run(ctx, raw)
}

// javascript runs handle(event); the events it returns are published.
func (r *Runner) javascript(ctx context.Context, d Delivery) Outcome {
	s, err := compile(d.Action.Script, "handle")
	if err != nil {
		return failed(err, true)
	}
	result, err := s.Run(ctx, d.Raw)
	if err != nil {
		return failed(fmt.Errorf("script: %w", err), true)
	}
	raws, err := script.Events(result)
	if err != nil {
		return failed(fmt.Errorf("script result: %w", err), true)
	}
	if len(raws) > 0 && r.JS == nil {
		return unavailable("publishing from javascript")
	}
	hop := 1
	if o, ok := d.Event.Origin(); ok {
		hop = o.Hop + 1
	}
	evs := make([]*event.Event, 0, len(raws))
	for i, raw := range raws {
		ev, err := event.Decode(raw)
		if err == nil {
			// A derived event gets a uuid derived from the delivery, so that a retried
			// run publishes the same event, which the stream's dedupe window drops.
			if ev.UUID == "" {
				ev.UUID = derivedUUID(d.DeliveryID, i)
			}
			ev.FillDefaults(r.now())
			if err = ev.Validate(); err == nil {
				if err = adopt(d, ev, hop, r.Policy.Hops()); err != nil {
					err = fmt.Errorf("refused: %w", err)
				}
			}
		}
		if err != nil {
			// Nothing is published when one event is refused: a script's events go out
			// together or not at all.
			return failed(fmt.Errorf("script result: event %d: %w", i, err), true)
		}
		evs = append(evs, ev)
	}
	_, errs := bus.PublishAll(ctx, r.JS, evs)
	for _, err := range errs {
		if err != nil {
			return failed(fmt.Errorf("publishing the script's events: %w", err), false)
		}
	}
	return Outcome{OK: true, Response: string(result)}
}
