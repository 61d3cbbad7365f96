package meter

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// sns meters an SNS call (query protocol: an Action form field). Every call is a
// request; a publish is billed per 64 KiB of payload, a batch's entries together.
// Deliveries to SQS subscriptions happen inside the emulator and are not seen here: AWS
// does not charge for them either.
func (m *Meter) sns(_ http.Header, body []byte) ([]byte, answerFunc) {
	form, _ := url.ParseQuery(string(body))
	op := form.Get("Action")
	arn := form.Get("TopicArn")
	topic := arn[strings.LastIndexByte(arn, ':')+1:]
	if topic == "" {
		topic = "-"
	}
	var msgs int64
	switch op {
	case "Publish":
		msgs = 1
	case "PublishBatch":
		msgs = int64(formEntries(form))
	}
	billed := chunks(formPayload(form, "Action", "Version", "TopicArn"), MessageChunk)
	return body, func(_ int, _ http.Header, resp []byte) ([]Counter, []byte) {
		return []Counter{{Service: SNS, Resource: m.logical(topic), Operation: op, Requests: 1, Messages: msgs, Billed: billed}}, resp
	}
}

// formEntries counts the entries of a query-protocol batch: the keys like
// PublishBatchRequestEntries.member.3.Id or SendMessageBatchRequestEntry.2.Id.
func formEntries(form url.Values) int {
	n := 0
	for k := range form {
		parts := strings.Split(k, ".")
		if len(parts) >= 3 && parts[len(parts)-1] == "Id" {
			if _, err := strconv.Atoi(parts[len(parts)-2]); err == nil {
				n++
			}
		}
	}
	return n
}

// formPayload is the size of a query-protocol request's payload: its values, decoded,
// but those of the fields named in skip (the action, the API version, the target).
func formPayload(form url.Values, skip ...string) int64 {
	var n int64
	for k, vs := range form {
		if slices.Contains(skip, k) {
			continue
		}
		for _, v := range vs {
			n += int64(len(v))
		}
	}
	return n
}
