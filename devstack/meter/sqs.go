package meter

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// sqs meters an SQS call, of the JSON protocol (X-Amz-Target: AmazonSQS.<Action>) or the
// query protocol (an Action form field). Every call is a request, billed per 64 KiB of
// payload: what it sends, or for ReceiveMessage what it receives.
func (m *Meter) sqs(h http.Header, body []byte) ([]byte, answerFunc) {
	var op, queue string
	var entries int
	payload := int64(len(body))
	if target := h.Get("X-Amz-Target"); target != "" {
		_, op, _ = strings.Cut(target, ".")
		var in struct {
			QueueUrl, QueueName string
			Entries             []json.RawMessage
		}
		json.Unmarshal(body, &in)
		queue, entries = queueName(in.QueueUrl, in.QueueName), len(in.Entries)
	} else {
		form, _ := url.ParseQuery(string(body))
		op = form.Get("Action")
		queue, entries = queueName(form.Get("QueueUrl"), form.Get("QueueName")), formEntries(form)
		payload = formPayload(form, "Action", "Version", "QueueUrl")
	}
	return body, func(status int, _ http.Header, resp []byte) ([]Counter, []byte) {
		c := Counter{Service: SQS, Resource: m.logical(queue), Operation: op, Requests: 1, Messages: messagesSent(op, entries)}
		if op == "ReceiveMessage" {
			payload = max(payload, int64(len(resp)))
			if status == http.StatusOK {
				c.Messages = messagesReceived(resp)
				if c.Messages == 0 {
					c.Empty = 1
				}
			}
		}
		c.Billed = chunks(payload, MessageChunk)
		return []Counter{c}, resp
	}
}

// queueName is the queue a call names, by its URL (whose last segment is its name) or
// its name; "-" for calls about no queue.
func queueName(queueURL, name string) string {
	if queueURL != "" {
		return queueURL[strings.LastIndexByte(queueURL, '/')+1:]
	}
	if name != "" {
		return name
	}
	return "-"
}

// messagesSent is how many messages a call of op with the given batch entries sends,
// deletes or changes.
func messagesSent(op string, entries int) int64 {
	switch op {
	case "SendMessage", "DeleteMessage", "ChangeMessageVisibility":
		return 1
	case "SendMessageBatch", "DeleteMessageBatch", "ChangeMessageVisibilityBatch":
		return int64(entries)
	}
	return 0
}

// messagesReceived counts the messages of a ReceiveMessage answer, JSON or XML.
func messagesReceived(resp []byte) int64 {
	if t := bytes.TrimSpace(resp); len(t) > 0 && t[0] == '{' {
		var out struct{ Messages []json.RawMessage }
		json.Unmarshal(t, &out)
		return int64(len(out.Messages))
	}
	return int64(bytes.Count(resp, []byte("<Message>")))
}
