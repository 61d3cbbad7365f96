package main

import (
	"fmt"
	"io"

	"github.com/heraldhq/herald/devstack/localstack"
	"github.com/heraldhq/herald/internal/auth"
)

// devToken is one ready-made token the banner prints.
type devToken struct {
	env, who string
	claims   auth.Claims
}

var devTokens = []devToken{
	{"DEMO_TOKEN", "demo user, READ/WRITE on projects/demo", auth.Claims{Subject: "demo", TokenType: auth.Personal, Perms: map[string]auth.Level{"projects/demo": auth.Write}}},
	{"OTHER_TOKEN", "another user, no permissions", auth.Claims{Subject: "other", TokenType: auth.Personal}},
	{"PUBLISHER_TOKEN", "service token with the publisher role", auth.Claims{Subject: "demo-publisher", TokenType: auth.Service, Roles: []string{auth.RolePublisher}}},
}

// mintTokens returns the dev tokens by their variable names.
func mintTokens(secret string) (map[string]string, error) {
	out := map[string]string{}
	for _, t := range devTokens {
		tok, err := auth.Mint([]byte(secret), t.claims, localstack.TokenTTL)
		if err != nil {
			return nil, fmt.Errorf("minting %s: %w", t.env, err)
		}
		out[t.env] = tok
	}
	return out, nil
}

// printBanner tells a newcomer where everything is and what to try first.
func printBanner(w io.Writer, l *local, tokens map[string]string) {
	topic, _ := l.stack.Ref("EventsTopic")
	fmt.Fprintf(w, "\nherald-local: ready in %.1fs\n\n", l.ready.Seconds())
	fmt.Fprintf(w, "  HTTP API      %s\n", l.apiURL)
	fmt.Fprintf(w, "  Metrics       %s%s   (totals of the functions' CloudWatch metrics, as JSON)\n", l.apiURL, metricsPath)
	fmt.Fprintf(w, "  NATS          %s\n", l.natsURL)
	fmt.Fprintf(w, "  DynamoDB      %s\n", l.emu.DynamoDB)
	fmt.Fprintf(w, "  SNS/SQS       %s\n", l.emu.SQS)
	fmt.Fprintf(w, "  Events topic  %s\n", topic)
	fmt.Fprintf(w, "  Usage         %s%s   (the billable calls counted so far; make cost reads it)\n", l.apiURL, localstack.UsagePath)
	fmt.Fprintf(w, "  JWT secret    %s   (HS256, development only)\n\n", l.opts.secret)
	fmt.Fprintf(w, "Tokens, valid for %s; paste these lines into your shell:\n\n", localstack.TokenTTL)
	for _, t := range devTokens {
		fmt.Fprintf(w, "  # %s\n  export %s=%s\n", t.who, t.env, tokens[t.env])
	}
	fmt.Fprintf(w, "\nThen try:\n\n")
	for _, c := range curlCommands(l.apiURL) {
		fmt.Fprintf(w, "  %s\n", c)
	}
	fmt.Fprintf(w, "\nLogs of every function follow, prefixed with its name. Ctrl-C stops everything.\n\n")
}

// curlCommands are the banner's examples, in order: each may use what an earlier one
// exported. The end-to-end test runs them exactly as printed.
func curlCommands(api string) []string {
	return []string{
		fmt.Sprintf(`curl -s %s/v1/health`, api),
		fmt.Sprintf(`curl -s -X POST %s/v1/events -H "Authorization: Bearer $PUBLISHER_TOKEN" -H 'Content-Type: application/json' -d '{"event":"resource.ResourceCreated","resource":{"type":"collection","path":"projects/demo/collections/c1","after":{"title":"Season 2"}}}'`, api),
		fmt.Sprintf(`export CONSUMER=$(curl -s -X POST %s/v1/consumers -H "Authorization: Bearer $DEMO_TOKEN" -H 'Content-Type: application/json' -d '{"target":{"resources":[{"path":"projects/demo","include_subresources":true}]}}' | sed -E 's/.*"id":"([^"]+)".*/\1/'); echo "consumer $CONSUMER"`, api),
		fmt.Sprintf(`curl -s "%s/v1/consumers/$CONSUMER/batch?batch_size=10&wait_ms=1000" -H "Authorization: Bearer $DEMO_TOKEN"`, api),
		fmt.Sprintf(`curl -s %s/v1/catalog -H "Authorization: Bearer $DEMO_TOKEN"`, api),
	}
}
