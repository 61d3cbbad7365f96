package action

import (
	"strconv"

	"github.com/google/uuid"
)

// namespace is the UUID namespace of the events Herald derives from deliveries.
var namespace = uuid.MustParse("6f5e2a4c-3b1d-5c8e-9a7f-0d4b2c1e8f36")

// derivedUUID returns the uuid of the i-th event a delivery's script made: the same
// delivery always gives the same uuids (a name-based, version 5 UUID).
func derivedUUID(deliveryID string, i int) string {
	return uuid.NewSHA1(namespace, []byte(deliveryID+"/"+strconv.Itoa(i))).String()
}
