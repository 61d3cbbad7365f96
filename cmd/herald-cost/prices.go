package main

import (
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"time"
)

// pricesJSON is the price list the model uses, shipped with the command.
//
//go:embed prices.json
var pricesJSON []byte

// The prices the model uses, by their keys in prices.json.
const (
	priceAPIRequests      = "apigateway.http.requests"
	priceLambdaRequests   = "lambda.arm64.requests"
	priceLambdaGBSeconds  = "lambda.arm64.gb_seconds"
	priceSQSRequests      = "sqs.standard.requests"
	priceSNSPublishes     = "sns.standard.publishes"
	priceDynamoDBWrite    = "dynamodb.ondemand.write_request_units"
	priceDynamoDBRead     = "dynamodb.ondemand.read_request_units"
	priceLogsIngestionGB  = "cloudwatch.logs.ingestion_gb"
	priceMetrics          = "cloudwatch.metrics"
	priceDashboards       = "cloudwatch.dashboards"
	priceAlarms           = "cloudwatch.alarms"
	priceEventBridgePut   = "eventbridge.custom_events"
	priceEventBridgeAPIDs = "eventbridge.api_destinations"
)

// modelPrices lists every price the model needs.
var modelPrices = []string{
	priceAPIRequests, priceLambdaRequests, priceLambdaGBSeconds, priceSQSRequests, priceSNSPublishes,
	priceDynamoDBWrite, priceDynamoDBRead, priceLogsIngestionGB, priceMetrics, priceDashboards, priceAlarms,
	priceEventBridgePut, priceEventBridgeAPIDs,
}

// Price is one list price: USD for Per units.
type Price struct {
	USD    float64 `json:"usd"`
	Per    float64 `json:"per"`
	Unit   string  `json:"unit"`
	Region string  `json:"region"`
	Source string  `json:"source"` // the AWS pricing page
	Read   string  `json:"read"`   // the date it was read there, YYYY-MM-DD
}

// Each is the price of one unit.
func (p Price) Each() float64 { return p.USD / p.Per }

// Prices are the list prices by key.
type Prices map[string]Price

// ParsePrices reads a price list as prices.json holds it and checks every entry, and
// that every price the model uses is there.
func ParsePrices(data []byte) (Prices, error) {
	var doc struct {
		Prices Prices `json:"prices"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("prices: %w", err)
	}
	var errs []error
	for key, p := range doc.Prices {
		u, err := url.Parse(p.Source)
		_, dateErr := time.Parse(time.DateOnly, p.Read)
		switch {
		case p.USD <= 0 || p.Per <= 0:
			errs = append(errs, fmt.Errorf("prices: %s: usd and per must be positive", key))
		case p.Unit == "" || p.Region == "":
			errs = append(errs, fmt.Errorf("prices: %s: no unit or region", key))
		case err != nil || u.Scheme != "https" || u.Host == "":
			errs = append(errs, fmt.Errorf("prices: %s: source %q is not an https URL", key, p.Source))
		case dateErr != nil:
			errs = append(errs, fmt.Errorf("prices: %s: read %q is not a date (YYYY-MM-DD)", key, p.Read))
		}
	}
	for _, key := range modelPrices {
		if _, ok := doc.Prices[key]; !ok {
			errs = append(errs, fmt.Errorf("prices: no %s, which the model uses", key))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return doc.Prices, nil
}

// Regions returns the regions of the prices, sorted, without repeats.
func (p Prices) Regions() []string {
	var out []string
	for _, x := range p {
		out = append(out, x.Region)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// LastRead returns the latest date a price was read.
func (p Prices) LastRead() string {
	last := ""
	for _, x := range p {
		last = max(last, x.Read)
	}
	return last
}
