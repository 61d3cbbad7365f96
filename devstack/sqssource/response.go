package sqssource

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// failedItems reads the response of a function that reports batch item failures and
// returns the message ids it reports as failed, by Lambda's rules: an empty or null
// response, or an empty or null list, reports none; an error means the response
// fails the whole batch, because it is not an SQSEventResponse or names a message that
// is not in the batch (an empty or missing itemIdentifier included).
func failedItems(response []byte, batch []types.Message) (map[string]bool, error) {
	response = bytes.TrimSpace(response)
	if len(response) == 0 || bytes.Equal(response, []byte("null")) {
		return nil, nil
	}
	var r awsevents.SQSEventResponse
	if err := json.Unmarshal(response, &r); err != nil {
		return nil, fmt.Errorf("response is not an SQSEventResponse: %w", err)
	}
	inBatch := make(map[string]bool, len(batch))
	for _, m := range batch {
		inBatch[aws.ToString(m.MessageId)] = true
	}
	failed := make(map[string]bool, len(r.BatchItemFailures))
	for _, f := range r.BatchItemFailures {
		switch {
		case f.ItemIdentifier == "":
			return nil, errors.New("response has a batch item failure without an itemIdentifier")
		case !inBatch[f.ItemIdentifier]:
			return nil, fmt.Errorf("response reports itemIdentifier %q, which is no messageId in the batch", f.ItemIdentifier)
		}
		failed[f.ItemIdentifier] = true
	}
	return failed, nil
}
