package testenv

import "github.com/heraldhq/herald/devstack/emulator"

// Region is the AWS region the environment uses.
const Region = emulator.Region

// Endpoints are the base URLs of the local emulators.
type Endpoints struct {
	DynamoDB string // dynalite, http://127.0.0.1:PORT
	SQS      string // fauxqs
	SNS      string // fauxqs too: one server answers both protocols
}
