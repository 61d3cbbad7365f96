package template

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse feeds the template parser arbitrary YAML: it returns a template or an
// error, never panics, and what it returns can be walked (functions with their merged
// globals, events, and the dependency order of the resources) without panicking either.
// The seeds are the repository's template and the corpus in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	if data, err := os.ReadFile(filepath.Join("..", "..", "template.yaml")); err == nil {
		f.Add(data)
	}
	f.Add([]byte("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n"))
	f.Add([]byte("Globals:\n  Function:\n    Environment:\n      Variables: {A: !Ref P}\nResources:\n  F:\n    Type: AWS::Serverless::Function\n    Properties:\n      Events: {E: {Type: SQS, Properties: {Queue: !GetAtt Q.Arn}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := Parse(data)
		if err != nil {
			return
		}
		ids := make([]string, 0, len(tmpl.Resources))
		for id := range tmpl.Resources {
			ids = append(ids, id)
		}
		_, _ = tmpl.order(ids)
		for _, fn := range tmpl.Functions() {
			_ = fn.EventNames()
		}
	})
}
