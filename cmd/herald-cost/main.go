package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/heraldhq/herald/devstack/checkout"
	"github.com/heraldhq/herald/devstack/meter"
	"github.com/heraldhq/herald/devstack/template"
	"github.com/heraldhq/herald/devstack/workload"
)

func main() {
	if err := mainErr(); err != nil {
		fmt.Fprintln(os.Stderr, "herald-cost:", err)
		os.Exit(1)
	}
}

func mainErr() error {
	root, err := checkout.Root()
	if err != nil {
		return err
	}
	cfg := workload.Config{Path: "projects/demo"}
	flag.IntVar(&cfg.Events, "events", 10_000, "events to publish")
	flag.IntVar(&cfg.PublishBatch, "publish-batch", 100, "events per POST /v1/events, 1 to 100")
	flag.IntVar(&cfg.Publishers, "publishers", 4, "publish requests in flight at once")
	flag.IntVar(&cfg.FetchBatch, "fetch-batch", 100, "the consumer's batch_size, 1 to 1000")
	flag.DurationVar(&cfg.FetchWait, "fetch-wait", time.Second, "the consumer's wait_ms")
	bin := flag.String("herald-local", filepath.Join(root, "build", "local", "herald-local"), "herald-local's binary (make build-local)")
	functions := flag.String("functions", filepath.Join(root, "build", "local", "functions"), "the functions' binaries for this machine (make build-local)")
	md := flag.String("md", "", "also write the figures into this file's cost section (BENCHMARKS.md)")
	timeout := flag.Duration("timeout", 30*time.Minute, "give up after this long")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}

	prices, err := ParsePrices(pricesJSON)
	if err != nil {
		return err
	}
	tmpl, err := template.Load(filepath.Join(root, "template.yaml"))
	if err != nil {
		return err
	}
	scheduled, err := scheduledFunctions(tmpl)
	if err != nil {
		return err
	}
	cfg.Queues = workload.Queues(tmpl)
	cfg.Progress = os.Stderr

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	fmt.Fprintln(os.Stderr, "herald-cost: starting herald-local…")
	s, err := startStack(ctx, *bin, *functions, root)
	if err != nil {
		return err
	}
	defer s.stop()
	ri, u, err := measure(ctx, s, cfg)
	if err != nil {
		return fmt.Errorf("%w\nherald-local's last lines:\n%s", err, s.lastLines())
	}
	ri.Prices = prices
	r, err := Estimate(Inputs{
		Events: int64(ri.Result.Events), Deliveries: int64(ri.Result.Delivered), Usage: u,
		Scheduled: scheduled, PolledQueues: len(cfg.Queues), Monitoring: monitoringOf(tmpl),
	}, prices)
	if err != nil {
		return err
	}
	WriteText(os.Stdout, r, ri)
	if *md != "" {
		doc, err := os.ReadFile(*md)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
		if err := os.WriteFile(*md, []byte(UpdateSection(string(doc), Markdown(r, ri))), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "herald-cost: wrote the cost section of %s\n", *md)
	}
	return s.stop()
}

// measure runs the workload cfg on s and returns it with what the stack counted over it.
func measure(ctx context.Context, s *stack, cfg workload.Config) (runInfo, meter.Usage, error) {
	ri := runInfo{Date: time.Now(), Config: cfg}
	var err error
	if cfg.API, err = s.url("HTTP API"); err != nil {
		return ri, meter.Usage{}, err
	}
	if cfg.SQS, err = s.url("SNS/SQS"); err != nil {
		return ri, meter.Usage{}, err
	}
	usage, err := s.url("Usage")
	if err != nil {
		return ri, meter.Usage{}, err
	}
	if cfg.PublisherToken, err = s.token("PUBLISHER_TOKEN"); err != nil {
		return ri, meter.Usage{}, err
	}
	if cfg.UserToken, err = s.token("DEMO_TOKEN"); err != nil {
		return ri, meter.Usage{}, err
	}
	ri.Config = cfg
	run, err := workload.Prepare(ctx, cfg)
	if err != nil {
		return ri, meter.Usage{}, err
	}
	defer run.Close()
	hc := &http.Client{Timeout: time.Minute}
	before, err := meter.Fetch(ctx, hc, usage)
	if err != nil {
		return ri, meter.Usage{}, err
	}
	fmt.Fprintf(os.Stderr, "herald-cost: running the workload: %d events…\n", cfg.Events)
	if ri.Result, err = run.Drive(ctx); err != nil {
		return ri, meter.Usage{}, err
	}
	after, err := meter.Fetch(ctx, hc, usage)
	if err != nil {
		return ri, meter.Usage{}, err
	}
	return ri, after.Sub(before), nil
}
