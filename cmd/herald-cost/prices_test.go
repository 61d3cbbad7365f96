package main

import (
	"strings"
	"testing"
)

// TestShippedPrices checks that prices.json parses, holds every price the model uses,
// for us-east-1, each with its source and the date it was read.
func TestShippedPrices(t *testing.T) {
	p, err := ParsePrices(pricesJSON)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range modelPrices {
		x, ok := p[key]
		if !ok {
			t.Errorf("no price %s", key)
			continue
		}
		if x.Region != "us-east-1" || !strings.HasPrefix(x.Source, "https://aws.amazon.com/") || x.Read == "" {
			t.Errorf("%s: %+v, want us-east-1, an aws.amazon.com source and a date", key, x)
		}
	}
	if got := p.Regions(); len(got) != 1 || got[0] != "us-east-1" {
		t.Errorf("Regions = %v", got)
	}
}

// TestParsePricesErrors checks that a malformed or incomplete price list is refused,
// naming what is wrong.
func TestParsePricesErrors(t *testing.T) {
	// complete returns a valid list with entry added (or replacing one of the same key).
	complete := func(entry string) string {
		var b strings.Builder
		b.WriteString(`{"prices":{`)
		for _, key := range modelPrices {
			b.WriteString(`"` + key + `":{"usd":1,"per":1000000,"unit":"requests","region":"us-east-1","source":"https://aws.amazon.com/x/","read":"2026-12-07"},`)
		}
		b.WriteString(entry + `}}`)
		return b.String()
	}
	tests := []struct {
		name, doc, want string
	}{
		{"complete", complete(`"extra":{"usd":2,"per":1,"unit":"GB","region":"eu-west-1","source":"https://aws.amazon.com/y/","read":"2026-01-01"}`), ""},
		{"not JSON", `{"prices":`, "prices:"},
		{"a model price missing", `{"prices":{}}`, "no " + priceSQSRequests},
		{"no price", complete(`"x":{"usd":0,"per":1,"unit":"u","region":"r","source":"https://a.b/","read":"2026-12-07"}`), "x: usd and per must be positive"},
		{"no unit", complete(`"x":{"usd":1,"per":1,"region":"r","source":"https://a.b/","read":"2026-12-07"}`), "x: no unit or region"},
		{"no source", complete(`"x":{"usd":1,"per":1,"unit":"u","region":"r","source":"aws pricing","read":"2026-12-07"}`), "x: source"},
		{"no date", complete(`"x":{"usd":1,"per":1,"unit":"u","region":"r","source":"https://a.b/","read":"December"}`), "x: read"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParsePrices([]byte(tt.doc))
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want one containing %q", err, tt.want)
			}
		})
	}
}
