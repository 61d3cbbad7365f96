package repo

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/heraldhq/herald/devstack/template"
)

// CheckSQSEvents reports SQS event sources without ReportBatchItemFailures in their
// FunctionResponseTypes: without it one failed message makes Lambda retry the whole
// batch.
func CheckSQSEvents(tmpl *template.Template) []string {
	var problems []string
	for _, fn := range tmpl.Functions() {
		for _, name := range fn.EventNames() {
			ev := fn.Events[name]
			if ev.Type != "SQS" {
				continue
			}
			types, _ := ev.Properties["FunctionResponseTypes"].([]any)
			if !slices.Contains(types, any("ReportBatchItemFailures")) {
				problems = append(problems, fmt.Sprintf("%s: event %s (SQS): FunctionResponseTypes lacks ReportBatchItemFailures", fn.LogicalID, name))
			}
		}
	}
	return problems
}

// CheckTableTTL reports DynamoDB tables without an enabled TimeToLiveSpecification
// naming its attribute: every item Herald stores expires.
func CheckTableTTL(tmpl *template.Template) []string {
	var problems []string
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != template.TypeTable {
			continue
		}
		ttl, ok := r.Properties["TimeToLiveSpecification"].(map[string]any)
		if !ok {
			problems = append(problems, id+": no TimeToLiveSpecification")
			continue
		}
		if e := ttl["Enabled"]; e != true && e != "true" {
			problems = append(problems, fmt.Sprintf("%s: TimeToLiveSpecification.Enabled is %v, want true", id, e))
		}
		if a, _ := ttl["AttributeName"].(string); a == "" {
			problems = append(problems, id+": TimeToLiveSpecification has no AttributeName")
		}
	}
	sort.Strings(problems)
	return problems
}

// CheckRedrive reports SQS queues, other than those whose logical id ends in
// DeadLetterQueue, without a RedrivePolicy whose deadLetterTargetArn is the Arn of a
// queue of the template.
func CheckRedrive(tmpl *template.Template) []string {
	var problems []string
	for _, id := range tmpl.LogicalIDs() {
		r := tmpl.Resources[id]
		if r.Type != template.TypeQueue || strings.HasSuffix(id, "DeadLetterQueue") {
			continue
		}
		policy, ok := r.Properties["RedrivePolicy"].(map[string]any)
		if !ok {
			problems = append(problems, id+": no RedrivePolicy")
			continue
		}
		target := template.ArnOf(policy["deadLetterTargetArn"])
		switch {
		case target == "":
			problems = append(problems, id+": RedrivePolicy.deadLetterTargetArn: want Fn::GetAtt <Queue>.Arn")
		case tmpl.Resources[target].Type != template.TypeQueue:
			what := tmpl.Resources[target].Type
			if what == "" {
				what = "no such resource"
			}
			problems = append(problems, fmt.Sprintf("%s: RedrivePolicy.deadLetterTargetArn: %s is not a queue of the template (%s)", id, target, what))
		}
	}
	sort.Strings(problems)
	return problems
}
