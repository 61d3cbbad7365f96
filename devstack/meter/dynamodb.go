package meter

import (
	"bytes"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// The DynamoDB operations that consume read or write request units.
var (
	dynamoReads  = map[string]bool{"GetItem": true, "BatchGetItem": true, "Query": true, "Scan": true, "TransactGetItems": true}
	dynamoWrites = map[string]bool{"PutItem": true, "UpdateItem": true, "DeleteItem": true, "BatchWriteItem": true, "TransactWriteItems": true}
)

// dynamoDB meters a DynamoDB call (X-Amz-Target: DynamoDB_20120810.<Operation>). A call
// that reads or writes items is forwarded with ReturnConsumedCapacity TOTAL, and the
// capacity the emulator reports is counted per table; the answer loses its
// ConsumedCapacity again (and gets the checksum of its new body) unless the caller asked
// for it. AWS charges at least half a read unit for an eventually consistent read and
// one for a strongly consistent one, one write unit for a write, even when its condition
// fails: so does the count.
func (m *Meter) dynamoDB(h http.Header, body []byte) ([]byte, answerFunc) {
	_, op, _ := strings.Cut(h.Get("X-Amz-Target"), ".")
	read, write := dynamoReads[op], dynamoWrites[op]
	var in map[string]json.RawMessage
	if json.Unmarshal(body, &in) != nil {
		in = nil
	}
	tables := requestTables(in)
	consistent := string(in["ConsistentRead"]) == "true"
	var asked string
	json.Unmarshal(in["ReturnConsumedCapacity"], &asked)
	callerAsked := asked == "TOTAL" || asked == "INDEXES"
	forward := body
	if (read || write) && in != nil && !callerAsked {
		in["ReturnConsumedCapacity"] = json.RawMessage(`"TOTAL"`)
		forward = encodeJSON(in)
	}
	return forward, func(status int, rh http.Header, resp []byte) ([]Counter, []byte) {
		back := resp
		units := map[string]float64{}
		if status == http.StatusOK && (read || write) && rh.Get("Content-Encoding") == "" {
			var out map[string]json.RawMessage
			if json.Unmarshal(resp, &out) == nil {
				units = consumedUnits(out["ConsumedCapacity"])
				if _, had := out["ConsumedCapacity"]; had && !callerAsked {
					delete(out, "ConsumedCapacity")
					back = encodeJSON(out)
					if rh.Get("X-Amz-Crc32") != "" {
						rh.Set("X-Amz-Crc32", strconv.FormatUint(uint64(crc32.ChecksumIEEE(back)), 10))
					}
				}
			}
		}
		failedCondition := status == http.StatusBadRequest && bytes.Contains(resp, []byte("ConditionalCheckFailedException"))
		counters := make([]Counter, 0, len(tables))
		for _, t := range tables {
			c := Counter{Service: DynamoDB, Resource: m.logical(t), Operation: op, Requests: 1}
			switch {
			case read && status == http.StatusOK:
				c.ReadUnits = max(units[t], minReadUnits(consistent))
			case write && (status == http.StatusOK || failedCondition):
				c.WriteUnits = max(units[t], 1)
			}
			counters = append(counters, c)
		}
		return counters, back
	}
}

// minReadUnits is the least a read costs.
func minReadUnits(consistent bool) float64 {
	if consistent {
		return 1
	}
	return 0.5
}

// requestTables returns the tables a request names, sorted: TableName, the keys of a
// batch's RequestItems, or the tables of a transaction's items; "-" when it names none.
func requestTables(in map[string]json.RawMessage) []string {
	var name string
	if json.Unmarshal(in["TableName"], &name) == nil && name != "" {
		return []string{name}
	}
	seen := map[string]bool{}
	var items map[string]json.RawMessage
	if json.Unmarshal(in["RequestItems"], &items) == nil {
		for t := range items {
			seen[t] = true
		}
	}
	var transact []map[string]struct{ TableName string }
	if json.Unmarshal(in["TransactItems"], &transact) == nil {
		for _, item := range transact {
			for _, op := range item {
				if op.TableName != "" {
					seen[op.TableName] = true
				}
			}
		}
	}
	if len(seen) == 0 {
		return []string{"-"}
	}
	out := make([]string, 0, len(seen))
	for t := range seen {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// consumedUnits reads a ConsumedCapacity member, one object or a list of them, into
// capacity units by table.
func consumedUnits(raw json.RawMessage) map[string]float64 {
	type capacity struct {
		TableName                                            string
		CapacityUnits, ReadCapacityUnits, WriteCapacityUnits float64
	}
	var list []capacity
	if json.Unmarshal(raw, &list) != nil {
		var one capacity
		if json.Unmarshal(raw, &one) != nil {
			return map[string]float64{}
		}
		list = []capacity{one}
	}
	out := map[string]float64{}
	for _, c := range list {
		units := c.CapacityUnits
		if units == 0 {
			units = c.ReadCapacityUnits + c.WriteCapacityUnits
		}
		out[c.TableName] += units
	}
	return out
}

// encodeJSON encodes v as compact JSON without escaping HTML characters, as the
// emulators and AWS write it.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
