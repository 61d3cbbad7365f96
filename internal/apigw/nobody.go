package apigw

import (
	"bytes"
	"encoding/base64"
	"unicode/utf8"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/heraldhq/herald/internal/fault"
)

// maxEmptyBody bounds the body of a route that takes none: "{}" needs two bytes, and
// more than this is no mistake.
const maxEmptyBody = 4096

// NoFields checks the body of a route that takes no input: none, or a JSON object
// without members ("{}", which some clients send with every POST). Anything else is
// refused as other bodies are: a member is an unknown field, named.
func NoFields(req *awsevents.APIGatewayV2HTTPRequest) error {
	raw := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		if raw, err = base64.StdEncoding.DecodeString(req.Body); err != nil {
			return fault.Field("", "the body is not valid base64")
		}
	}
	if len(bytes.TrimSpace(raw)) == 0 {
		return nil
	}
	if err := requireJSON(req.Headers); err != nil {
		return err
	}
	if len(raw) > maxEmptyBody {
		return tooLarge(maxEmptyBody)
	}
	if !utf8.Valid(raw) {
		return fault.Field("", "the body is not valid UTF-8")
	}
	var none struct{}
	return DecodeJSON(raw, &none)
}
