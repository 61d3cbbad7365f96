package main

import (
	"math"
	"testing"

	"github.com/heraldhq/herald/devstack/meter"
)

// testPrices are the list prices of 2026-12-07, written out here so that the expected
// figures below can be checked by hand against them.
func testPrices() Prices {
	price := func(usd, per float64) Price { return Price{USD: usd, Per: per} }
	return Prices{
		priceAPIRequests:      price(1.00, 1e6),
		priceLambdaRequests:   price(0.20, 1e6),
		priceLambdaGBSeconds:  price(0.0000133334, 1),
		priceSQSRequests:      price(0.40, 1e6),
		priceSNSPublishes:     price(0.50, 1e6),
		priceDynamoDBWrite:    price(0.625, 1e6),
		priceDynamoDBRead:     price(0.125, 1e6),
		priceLogsIngestionGB:  price(0.50, 1),
		priceMetrics:          price(0.30, 1),
		priceDashboards:       price(3.00, 1),
		priceAlarms:           price(0.10, 1),
		priceEventBridgePut:   price(1.00, 1e6),
		priceEventBridgeAPIDs: price(0.20, 1e6),
	}
}

// near reports whether a and b agree to a millionth of a dollar.
func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestEstimate checks the model's arithmetic on hand-checked figures. Every workload
// below has 1,000 events, so a measured quantity is multiplied by 1,000 per million
// events.
func TestEstimate(t *testing.T) {
	bridge := Scheduled{Function: "Bridge", Rate: "rate(1 minute)", PerMonth: 43_200, TimeoutSeconds: 60, MemoryMB: 512}
	janitor := Scheduled{Function: "Janitor", Rate: "rate(1 hour)", PerMonth: 720, TimeoutSeconds: 60, MemoryMB: 256}
	tests := []struct {
		name      string
		in        Inputs
		wantLines map[string]float64 // USD per million events, by "Service Item"
		wantTotal float64
		wantFixed float64
		wantEB    float64
	}{
		{
			name: "every service",
			in: Inputs{Events: 1000, Deliveries: 1000, Usage: meter.Usage{Counters: []meter.Counter{
				// 10 billed requests → 10,000 a million events → $0.01.
				{Service: meter.APIGateway, Resource: "POST /v1/events", Requests: 10, Billed: 10},
				// 100 invocations → 100,000 → $0.02; 20,000 ms at 512 MB = 10 GB-s →
				// 10,000 GB-s → $0.133334.
				{Service: meter.Lambda, Resource: "Router", Requests: 100, BilledMS: 20_000, MemoryMB: 512},
				// 100 billed requests with messages → 100,000 → $0.04; the 10 empty
				// receives are idle polling, a fixed cost.
				{Service: meter.SQS, Resource: "RouteQueue", Operation: "ReceiveMessage", Requests: 110, Billed: 110, Messages: 1000, Empty: 10},
				{Service: meter.SQS, Resource: "InboxQueue", Operation: "ReceiveMessage", Requests: 20, Billed: 20, Empty: 20},
				// 100 billed publishes → 100,000 → $0.05.
				{Service: meter.SNS, Resource: "EventsTopic", Operation: "PublishBatch", Requests: 100, Billed: 100, Messages: 1000},
				// 2,000 WRU over two operations → 2,000,000 → $1.25; 1,000 RRU → $0.125.
				{Service: meter.DynamoDB, Resource: "DeliveriesTable", Operation: "PutItem", Requests: 500, WriteUnits: 1000},
				{Service: meter.DynamoDB, Resource: "DeliveriesTable", Operation: "UpdateItem", Requests: 500, WriteUnits: 1000},
				{Service: meter.DynamoDB, Resource: "DeliveriesTable", Operation: "GetItem", Requests: 1000, ReadUnits: 1000},
				// 1 MB of logs → 1 GB → $0.50.
				{Service: meter.Logs, Resource: "Router", Bytes: 1_000_000},
			}}},
			wantLines: map[string]float64{
				"API Gateway POST /v1/events":     0.01,
				"Lambda Router invocations":       0.02,
				"Lambda Router duration (512 MB)": 0.133334,
				"SQS RouteQueue ReceiveMessage":   0.04,
				"SNS EventsTopic PublishBatch":    0.05,
				"DynamoDB DeliveriesTable writes": 1.25,
				"DynamoDB DeliveriesTable reads":  0.125,
				"CloudWatch Logs function logs":   0.50,
			},
			wantTotal: 0.01 + 0.02 + 0.133334 + 0.04 + 0.05 + 1.25 + 0.125 + 0.50,
			wantEB:    1.00 + 0.20,
		},
		{
			name: "scheduled functions are fixed costs, not per event",
			in: Inputs{Events: 1000, Deliveries: 500, Scheduled: []Scheduled{bridge, janitor}, PolledQueues: 3,
				Monitoring: Monitoring{Metrics: 44, Dashboards: 1, Alarms: 5}, Usage: meter.Usage{Counters: []meter.Counter{
					{Service: meter.Lambda, Resource: "Janitor", Requests: 1, BilledMS: 60_000, MemoryMB: 256},
					{Service: meter.APIGateway, Resource: "POST /v1/events", Requests: 1, Billed: 2},
				}}},
			wantLines: map[string]float64{"API Gateway POST /v1/events": 0.002},
			wantTotal: 0.002,
			// Bridge: 43,200 × $0.20/1M = $0.00864, and 43,200 × 60 s × 0.5 GB =
			// 1,296,000 GB-s × $0.0000133334 = $17.2800864. Janitor: 720 × $0.20/1M =
			// $0.000144, and 720 × 60 × 0.25 = 10,800 GB-s = $0.14400072. Idle polls:
			// 3 queues × 5 pollers × 3 a minute × 43,200 minutes = 1,944,000 × $0.40/1M =
			// $0.7776. Monitoring: 44 metrics × $0.30 = $13.20, a dashboard $3.00, 5 alarms
			// × $0.10 = $0.50.
			wantFixed: 0.00864 + 17.2800864 + 0.000144 + 0.14400072 + 0.7776 + 13.20 + 3.00 + 0.50,
			// 1,000 events → $1.00 a million; 500 deliveries → 500,000 → $0.10.
			wantEB: 1.00 + 0.10,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Estimate(tt.in, testPrices())
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]float64{}
			for _, l := range r.Lines {
				got[l.Service+" "+l.Item] = l.USD
			}
			if len(got) != len(tt.wantLines) {
				t.Errorf("lines %v, want %v", got, tt.wantLines)
			}
			for item, want := range tt.wantLines {
				if !near(got[item], want) {
					t.Errorf("%s: $%v, want $%v", item, got[item], want)
				}
			}
			if !near(r.Total, tt.wantTotal) || !near(r.FixedTotal, tt.wantFixed) || !near(r.EventBridgeTotal, tt.wantEB) {
				t.Errorf("total $%v, fixed $%v, EventBridge $%v; want $%v, $%v, $%v",
					r.Total, r.FixedTotal, r.EventBridgeTotal, tt.wantTotal, tt.wantFixed, tt.wantEB)
			}
		})
	}
}

// TestEstimateRefuses checks that the model needs events and every price.
func TestEstimateRefuses(t *testing.T) {
	if _, err := Estimate(Inputs{}, testPrices()); err == nil {
		t.Error("priced a workload of no events")
	}
	p := testPrices()
	delete(p, priceSNSPublishes)
	if _, err := Estimate(Inputs{Events: 1}, p); err == nil {
		t.Error("priced without the SNS price")
	}
}
