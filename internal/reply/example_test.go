package reply_test

import (
	"encoding/base64"
	"fmt"
	"strings"

	"github.com/heraldhq/herald/internal/reply"
)

func Example() {
	// Two live keys: k2 signs, k1 still verifies replies handed out before the rotation.
	keys := "k2:" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("2", 32))) +
		",k1:" + base64.StdEncoding.EncodeToString([]byte(strings.Repeat("1", 32)))
	k, err := reply.ParseKeyring(keys)
	if err != nil {
		panic(err)
	}

	// Delivering a message of consumer 01JD3N4V5W6X7Y8Z9ABCDEFGHJ.
	const consumer = "01JD3N4V5W6X7Y8Z9ABCDEFGHJ"
	r := k.Sign("$JS.ACK.HERALD_EVENTS."+consumer+".1.42.7.1763834400123456789.3", consumer)
	fmt.Println("signed with", r.KeyID)

	// Acknowledging it later.
	infos, err := reply.VerifyAll(k, []reply.Reply{r}, consumer, "HERALD_EVENTS")
	if err != nil {
		panic(err)
	}
	body, _ := reply.Ack.Payload(0)
	fmt.Printf("publish %s to the ack subject of stream sequence %d\n", body, infos[0].StreamSeq)

	// A reply handed to another consumer's client does not acknowledge this one's.
	err = k.Verify(k.Sign(r.Reply, "01JD3N4V5W6X7Y8Z9ABCDEFGHK"), consumer)
	fmt.Println(err)
	// Output:
	// signed with k2
	// publish +ACK to the ack subject of stream sequence 42
	// invalid request: the reply does not verify (signature does not match)
}
