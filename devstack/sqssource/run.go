package sqssource

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Pauses after a failed call to SQS, doubling from the first to the last: the emulator
// may be restarting, and a tight loop of errors would hide everything else in the log.
const (
	minErrorPause = 100 * time.Millisecond
	maxErrorPause = 5 * time.Second
)

// Run polls m's queue and invokes m's function with batches of its messages, as
// described in the package documentation, until ctx ends. It then returns nil once its
// pollers have stopped, abandoning their long polls and any batch still being gathered
// (its messages come back after their visibility timeout). It returns an error at once
// if m is not a valid mapping.
func Run(ctx context.Context, client *sqs.Client, m Mapping) error {
	if client == nil {
		return errors.New("sqssource: nil SQS client")
	}
	m, err := m.withDefaults(client.Options().Region)
	if err != nil {
		return err
	}
	log := m.Logger.With("function", m.Function, "queue", m.QueueURL)
	var wg sync.WaitGroup
	for range m.Pollers {
		p := &poller{client: client, m: m, log: log}
		wg.Go(func() { p.run(ctx) })
	}
	wg.Wait()
	return nil
}

// A poller gathers batches and processes them one at a time; Run starts m.Pollers.
type poller struct {
	client *sqs.Client
	m      Mapping
	log    *slog.Logger
}

func (p *poller) run(ctx context.Context) {
	pause := time.Duration(0)
	for ctx.Err() == nil {
		batch, err := p.gather(ctx)
		if ctx.Err() != nil {
			return
		}
		if len(batch) > 0 {
			p.process(ctx, batch)
		}
		if err == nil {
			pause = 0
			continue
		}
		pause = min(max(2*pause, minErrorPause), maxErrorPause)
		p.log.Warn("sqssource: receive failed", "err", err, "retry_in", pause)
		if !sleep(ctx, pause) {
			return
		}
	}
}

// process invokes the function with batch and deletes the messages it processed.
func (p *poller) process(ctx context.Context, batch []types.Message) {
	payload, err := json.Marshal(newEvent(batch, p.m.QueueARN, p.m.Region))
	if err != nil {
		// Nothing in an SQSEvent fails to marshal; leave the batch to come back.
		p.log.Error("sqssource: encode event", "err", err)
		return
	}
	response, err := p.m.Invoker.InvokeBytes(ctx, payload)
	if err != nil {
		level := slog.LevelWarn
		if ctx.Err() != nil {
			level = slog.LevelInfo // stopping: an interrupted invocation is expected
		}
		p.log.Log(ctx, level, "sqssource: invocation failed; the batch comes back after its visibility timeout",
			"messages", len(batch), "err", err)
		return
	}
	done := batch
	if p.m.ReportBatchItemFailures {
		failed, err := failedItems(response, batch)
		if err != nil {
			p.log.Warn("sqssource: invalid batch item failures; the whole batch failed",
				"messages", len(batch), "err", err)
			return
		}
		if len(failed) > 0 {
			done = make([]types.Message, 0, len(batch)-len(failed))
			for _, m := range batch {
				if !failed[aws.ToString(m.MessageId)] {
					done = append(done, m)
				}
			}
			p.log.Info("sqssource: function reported failed messages", "messages", len(batch), "failed", len(failed))
		}
	}
	p.log.Debug("sqssource: batch processed", "messages", len(batch), "deleting", len(done))
	p.delete(ctx, done)
}

// sleep waits for d or until ctx ends, and reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
