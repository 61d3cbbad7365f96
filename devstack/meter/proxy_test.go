package meter

import (
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// emulator stands in for an emulator: it records each request's body and answers with
// whatever the test set.
type emulator struct {
	*httptest.Server
	mu     sync.Mutex
	got    []byte
	status int
	header map[string]string
	answer string
}

func newEmulator(t *testing.T) *emulator {
	e := &emulator{status: http.StatusOK}
	e.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		e.mu.Lock()
		defer e.mu.Unlock()
		e.got = body
		for k, v := range e.header {
			w.Header().Set(k, v)
		}
		w.WriteHeader(e.status)
		io.WriteString(w, e.answer)
	}))
	t.Cleanup(e.Close)
	return e
}

// set makes the emulator answer status, body and headers from now on.
func (e *emulator) set(status int, body string, header map[string]string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.status, e.answer, e.header = status, body, header
}

// received is the body of the last request.
func (e *emulator) received() []byte {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.got
}

// call sends body through h with the given headers and returns the answer.
func call(t *testing.T, h http.Handler, body string, header map[string]string) *http.Response {
	t.Helper()
	srv := httptest.NewServer(h)
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// only returns the one counter of u, failing the test if there are others.
func only(t *testing.T, u Usage) Counter {
	t.Helper()
	if len(u.Counters) != 1 {
		t.Fatalf("counters %+v, want one", u.Counters)
	}
	return u.Counters[0]
}

// TestDynamoDBProxy checks that data calls are forwarded asking for the consumed
// capacity, that the units are counted per table with AWS's minimums, and that the
// caller gets the answer it would have had without the proxy, with a valid checksum.
func TestDynamoDBProxy(t *testing.T) {
	tests := []struct {
		name       string
		op         string
		request    string
		status     int
		answer     string
		wantAsked  bool   // the emulator was asked for the consumed capacity
		wantAnswer string // what the caller gets
		want       []Counter
	}{
		{
			name: "put", op: "PutItem", request: `{"TableName":"t1","Item":{"id":{"S":"a<b"}}}`,
			answer:    `{"ConsumedCapacity":{"CapacityUnits":2,"TableName":"t1"},"Attributes":{"id":{"S":"a<b"}}}`,
			wantAsked: true, wantAnswer: `{"Attributes":{"id":{"S":"a<b"}}}`,
			want: []Counter{{Service: DynamoDB, Resource: "Table1", Operation: "PutItem", Requests: 1, WriteUnits: 2}},
		},
		{
			name: "eventually consistent get of nothing", op: "GetItem", request: `{"TableName":"t1","Key":{"id":{"S":"x"}}}`,
			answer:    `{"ConsumedCapacity":{"CapacityUnits":0.5,"TableName":"t1"}}`,
			wantAsked: true, wantAnswer: `{}`,
			want: []Counter{{Service: DynamoDB, Resource: "Table1", Operation: "GetItem", Requests: 1, ReadUnits: 0.5}},
		},
		{
			name: "the caller asked: the capacity stays", op: "GetItem", request: `{"TableName":"t1","Key":{},"ReturnConsumedCapacity":"INDEXES"}`,
			answer:    `{"ConsumedCapacity":{"CapacityUnits":1,"TableName":"t1"},"Item":{}}`,
			wantAsked: true, wantAnswer: `{"ConsumedCapacity":{"CapacityUnits":1,"TableName":"t1"},"Item":{}}`,
			want: []Counter{{Service: DynamoDB, Resource: "Table1", Operation: "GetItem", Requests: 1, ReadUnits: 1}},
		},
		{
			name: "strongly consistent query of nothing costs a unit", op: "Query", request: `{"TableName":"t1","ConsistentRead":true}`,
			answer:    `{"Count":0,"Items":[],"ConsumedCapacity":{"CapacityUnits":0,"TableName":"t1"}}`,
			wantAsked: true, wantAnswer: `{"Count":0,"Items":[]}`,
			want: []Counter{{Service: DynamoDB, Resource: "Table1", Operation: "Query", Requests: 1, ReadUnits: 1}},
		},
		{
			name: "batch write over two tables", op: "BatchWriteItem", request: `{"RequestItems":{"t2":[],"t1":[]}}`,
			answer:    `{"UnprocessedItems":{},"ConsumedCapacity":[{"CapacityUnits":3,"TableName":"t1"},{"CapacityUnits":2,"TableName":"t2"}]}`,
			wantAsked: true, wantAnswer: `{"UnprocessedItems":{}}`,
			want: []Counter{
				{Service: DynamoDB, Resource: "Table1", Operation: "BatchWriteItem", Requests: 1, WriteUnits: 3},
				{Service: DynamoDB, Resource: "t2", Operation: "BatchWriteItem", Requests: 1, WriteUnits: 2},
			},
		},
		{
			name: "a failed condition still costs a write unit", op: "UpdateItem", request: `{"TableName":"t1","Key":{}}`,
			status: http.StatusBadRequest, answer: `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`,
			wantAsked: true, wantAnswer: `{"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException","message":"The conditional request failed"}`,
			want: []Counter{{Service: DynamoDB, Resource: "Table1", Operation: "UpdateItem", Requests: 1, WriteUnits: 1}},
		},
		{
			name: "another error costs nothing", op: "PutItem", request: `{"TableName":"t1"}`,
			status: http.StatusBadRequest, answer: `{"__type":"com.amazon.coral.validate#ValidationException"}`,
			wantAsked: true, wantAnswer: `{"__type":"com.amazon.coral.validate#ValidationException"}`,
			want: []Counter{{Service: DynamoDB, Resource: "Table1", Operation: "PutItem", Requests: 1}},
		},
		{
			name: "control calls are only counted", op: "DescribeTable", request: `{"TableName":"t1"}`,
			answer: `{"Table":{}}`, wantAnswer: `{"Table":{}}`,
			want: []Counter{{Service: DynamoDB, Resource: "Table1", Operation: "DescribeTable", Requests: 1}},
		},
		{
			name: "no table", op: "ListTables", request: `{}`,
			answer: `{"TableNames":[]}`, wantAnswer: `{"TableNames":[]}`,
			want: []Counter{{Service: DynamoDB, Resource: "-", Operation: "ListTables", Requests: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t)
			status := tt.status
			if status == 0 {
				status = http.StatusOK
			}
			emu.set(status, tt.answer, map[string]string{
				"X-Amz-Crc32":  strconv.FormatUint(uint64(crc32.ChecksumIEEE([]byte(tt.answer))), 10),
				"Content-Type": "application/x-amz-json-1.0",
			})
			m := New(map[string]string{"t1": "Table1"})
			h, err := m.Proxy(DynamoDB, emu.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp := call(t, h, tt.request, map[string]string{"X-Amz-Target": "DynamoDB_20120810." + tt.op})
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()

			var sent struct{ ReturnConsumedCapacity string }
			json.Unmarshal(emu.received(), &sent)
			if asked := sent.ReturnConsumedCapacity != ""; asked != tt.wantAsked {
				t.Errorf("forwarded %s: asked for the capacity: %v, want %v", emu.received(), asked, tt.wantAsked)
			}
			if string(body) != tt.wantAnswer || resp.StatusCode != status {
				t.Errorf("caller got %d %s, want %d %s", resp.StatusCode, body, status, tt.wantAnswer)
			}
			if crc := resp.Header.Get("X-Amz-Crc32"); crc != strconv.FormatUint(uint64(crc32.ChecksumIEEE(body)), 10) {
				t.Errorf("X-Amz-Crc32 %s does not match the body the caller got", crc)
			}
			if resp.ContentLength != int64(len(body)) {
				t.Errorf("Content-Length %d, body %d bytes", resp.ContentLength, len(body))
			}
			got := m.Usage().Counters
			if len(got) != len(tt.want) {
				t.Fatalf("counters %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("counter %+v, want %+v", got[i], tt.want[i])
				}
			}
		})
	}
}

// TestSQSProxy checks the operation, queue, messages and billed requests of SQS calls in
// both protocols.
func TestSQSProxy(t *testing.T) {
	const queueURL = "http://127.0.0.1:4566/000000000000/RouteQueue"
	big := strings.Repeat("x", 130<<10)
	entries := func(n int, body string) string {
		var e []map[string]string
		for i := range n {
			e = append(e, map[string]string{"Id": strconv.Itoa(i), "MessageBody": body})
		}
		data, _ := json.Marshal(map[string]any{"QueueUrl": queueURL, "Entries": e})
		return string(data)
	}
	form := url.Values{"Action": {"SendMessageBatch"}, "QueueUrl": {queueURL},
		"SendMessageBatchRequestEntry.1.Id": {"a"}, "SendMessageBatchRequestEntry.1.MessageBody": {big},
		"SendMessageBatchRequestEntry.2.Id": {"b"}, "SendMessageBatchRequestEntry.2.MessageBody": {"{}"}}
	tests := []struct {
		name    string
		header  map[string]string
		request string
		answer  string
		want    Counter
	}{
		{"send batch", map[string]string{"X-Amz-Target": "AmazonSQS.SendMessageBatch"}, entries(3, "hello"), `{"Successful":[]}`,
			Counter{Operation: "SendMessageBatch", Requests: 1, Messages: 3, Billed: 1}},
		{"send batch over 128 KiB", map[string]string{"X-Amz-Target": "AmazonSQS.SendMessageBatch"}, entries(1, big), `{"Successful":[]}`,
			Counter{Operation: "SendMessageBatch", Requests: 1, Messages: 1, Billed: 3}},
		{"receive", map[string]string{"X-Amz-Target": "AmazonSQS.ReceiveMessage"}, `{"QueueUrl":"` + queueURL + `"}`,
			`{"Messages":[{"Body":"` + big + `"},{"Body":"b"}]}`,
			Counter{Operation: "ReceiveMessage", Requests: 1, Messages: 2, Billed: 3}},
		{"empty receive", map[string]string{"X-Amz-Target": "AmazonSQS.ReceiveMessage"}, `{"QueueUrl":"` + queueURL + `"}`, `{}`,
			Counter{Operation: "ReceiveMessage", Requests: 1, Billed: 1, Empty: 1}},
		{"delete batch", map[string]string{"X-Amz-Target": "AmazonSQS.DeleteMessageBatch"}, entries(10, ""), `{}`,
			Counter{Operation: "DeleteMessageBatch", Requests: 1, Messages: 10, Billed: 1}},
		{"query protocol", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, form.Encode(), `<SendMessageBatchResponse/>`,
			Counter{Operation: "SendMessageBatch", Requests: 1, Messages: 2, Billed: 3}},
		{"query protocol receive", map[string]string{"Content-Type": "application/x-www-form-urlencoded"},
			url.Values{"Action": {"ReceiveMessage"}, "QueueUrl": {queueURL}}.Encode(),
			`<ReceiveMessageResponse><ReceiveMessageResult><Message><Body>a</Body></Message></ReceiveMessageResult></ReceiveMessageResponse>`,
			Counter{Operation: "ReceiveMessage", Requests: 1, Messages: 1, Billed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t)
			emu.set(http.StatusOK, tt.answer, nil)
			m := New(nil)
			h, err := m.Proxy(SQS, emu.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp := call(t, h, tt.request, tt.header)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(body) != tt.answer {
				t.Errorf("caller got %.80s, want %.80s", body, tt.answer)
			}
			if string(emu.received()) != tt.request {
				t.Errorf("the request was changed on its way")
			}
			want := tt.want
			want.Service, want.Resource = SQS, "RouteQueue"
			if got := only(t, m.Usage()); got != want {
				t.Errorf("counter %+v, want %+v", got, want)
			}
		})
	}
}

// TestSNSProxy checks publishes: one billed request per 64 KiB of a batch's entries.
func TestSNSProxy(t *testing.T) {
	const arn = "arn:aws:sns:us-east-1:000000000000:EventsTopic"
	batch := func(n, size int) url.Values {
		v := url.Values{"Action": {"PublishBatch"}, "Version": {"2010-03-31"}, "TopicArn": {arn}}
		for i := 1; i <= n; i++ {
			p := "PublishBatchRequestEntries.member." + strconv.Itoa(i)
			v.Set(p+".Id", strconv.Itoa(i))
			v.Set(p+".Message", strings.Repeat("m", size))
			v.Set(p+".MessageAttributes.entry.1.Name", "event")
			v.Set(p+".MessageAttributes.entry.1.Value.StringValue", "item.ItemCreated")
		}
		return v
	}
	tests := []struct {
		name string
		form url.Values
		want Counter
	}{
		{"publish", url.Values{"Action": {"Publish"}, "TopicArn": {arn}, "Message": {"{}"}}, Counter{Operation: "Publish", Requests: 1, Messages: 1, Billed: 1}},
		{"batch of ten 1 KB events", batch(10, 1000), Counter{Operation: "PublishBatch", Requests: 1, Messages: 10, Billed: 1}},
		{"batch of ten 10 KB events", batch(10, 10_000), Counter{Operation: "PublishBatch", Requests: 1, Messages: 10, Billed: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			emu := newEmulator(t)
			emu.set(http.StatusOK, "<PublishBatchResponse/>", nil)
			m := New(nil)
			h, err := m.Proxy(SNS, emu.URL)
			if err != nil {
				t.Fatal(err)
			}
			resp := call(t, h, tt.form.Encode(), map[string]string{"Content-Type": "application/x-www-form-urlencoded"})
			if body, _ := io.ReadAll(resp.Body); string(body) != "<PublishBatchResponse/>" {
				t.Errorf("caller got %s", body)
			}
			resp.Body.Close()
			want := tt.want
			want.Service, want.Resource = SNS, "EventsTopic"
			if got := only(t, m.Usage()); got != want {
				t.Errorf("counter %+v, want %+v", got, want)
			}
		})
	}
}

// TestProxyEmulatorDown checks that a call the emulator does not answer gets 502 and is
// not counted.
func TestProxyEmulatorDown(t *testing.T) {
	emu := newEmulator(t)
	emu.Close()
	m := New(nil)
	h, err := m.Proxy(SQS, emu.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp := call(t, h, `{}`, map[string]string{"X-Amz-Target": "AmazonSQS.ListQueues"})
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadGateway {
		t.Errorf("status %d, want 502", resp.StatusCode)
	}
	if c := m.Usage().Counters; len(c) != 0 {
		t.Errorf("counted %+v", c)
	}
}

// TestProxyTargets checks that only the metered services, at an http URL, get a proxy.
func TestProxyTargets(t *testing.T) {
	tests := []struct {
		service, target string
		ok              bool
	}{
		{DynamoDB, "http://127.0.0.1:8000", true},
		{SNS, "http://127.0.0.1:4566", true},
		{Lambda, "http://127.0.0.1:3000", false},
		{SQS, "127.0.0.1:4566", false},
	}
	for _, tt := range tests {
		_, err := New(nil).Proxy(tt.service, tt.target)
		if (err == nil) != tt.ok {
			t.Errorf("Proxy(%s, %s): %v, want ok %v", tt.service, tt.target, err, tt.ok)
		}
	}
}
