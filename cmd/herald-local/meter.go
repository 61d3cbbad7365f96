package main

import (
	"context"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/heraldhq/herald/devstack/gateway"
	"github.com/heraldhq/herald/devstack/lambdalocal"
	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/devstack/meter"
)

// startMeter puts a metering proxy (devstack/meter) in front of each emulator endpoint,
// so that every call the functions and the event source mappings make is counted, and
// keeps in l.meterEnv the AWS_ENDPOINT_URL_* variables that lead through them. The
// proxies reach the emulators at fixed ports, which restarts keep. Provisioning, done
// before, is not counted.
func (l *local) startMeter() error {
	names := map[string]string{}
	for id, p := range l.stack.Resources {
		if p.Name != "" {
			names[p.Name] = id
		}
	}
	l.meter = meter.New(names)
	l.meterEnv = map[string]string{}
	for _, e := range []struct{ service, env, target string }{
		{meter.DynamoDB, "AWS_ENDPOINT_URL_DYNAMODB", l.emu.DynamoDB},
		{meter.SQS, "AWS_ENDPOINT_URL_SQS", l.emu.SQS},
		{meter.SNS, "AWS_ENDPOINT_URL_SNS", l.emu.SNS},
	} {
		h, err := l.meter.Proxy(e.service, e.target)
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
		l.meterServers = append(l.meterServers, srv)
		go srv.Serve(ln)
		l.meterEnv[e.env] = "http://" + ln.Addr().String()
	}
	return nil
}

// meteredSQS returns an SQS client for the event source mappings that calls through the
// meter, as Lambda's pollers are billed SQS requests too.
func (l *local) meteredSQS() *sqs.Client {
	return sqs.NewFromConfig(l.aws, func(o *sqs.Options) {
		if u := l.meterEnv["AWS_ENDPOINT_URL_SQS"]; u != "" {
			o.BaseEndpoint = aws.String(u)
		}
	})
}

// recordInvocations makes cfg's invocations count in the meter.
func (l *local) recordInvocations(cfg *lambdalocal.Config) {
	name, memory := cfg.Name, cfg.MemoryMB
	cfg.Record = func(d time.Duration) { l.meter.Invocation(name, memory, d) }
}

// observeGateway counts the requests gw answers: HTTP API requests, or Function URL
// requests, which API Gateway neither serves nor bills.
func (l *local) observeGateway(gw *gateway.Gateway) {
	gw.Observe(func(s gateway.Served) {
		if s.URL {
			l.meter.FunctionURLRequest(s.Function, s.RequestBytes, s.ResponseBytes)
			return
		}
		l.meter.APIRequest(s.Route, s.RequestBytes, s.ResponseBytes)
	})
}

// withUsage serves the meter's counters at localstack.UsagePath beside the rest.
func (l *local) withUsage(next http.Handler) http.Handler {
	usage := l.meter.Handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == localstack.UsagePath {
			usage.ServeHTTP(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// closeMeter stops the proxies, once nothing calls through them any more.
func (l *local) closeMeter() {
	for _, srv := range l.meterServers {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		srv.Shutdown(ctx)
		cancel()
		srv.Close()
	}
}
