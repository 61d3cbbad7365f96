// Package emulator runs Herald's local AWS emulators: dynalite for DynamoDB and fauxqs for
// SNS and SQS, both served by one node process (local/emulators.mjs) bound to loopback.
// The integration tests (through devstack/testenv) and the local stack both start them here.
//
// [Start] installs the pinned emulators with `npm ci` in local/ when node_modules is
// missing or older than package.json or package-lock.json, then starts them and waits
// until both listen:
//
//	emu, err := emulator.Start(ctx, emulator.Options{
//		Root:         root,
//		DynamoDBPort: emulator.DefaultDynamoDBPort,
//		SQSPort:      emulator.DefaultSQSPort,
//	})
//	if err != nil {
//		return err
//	}
//	defer emu.Close()
//	// emu.DynamoDB, emu.SQS and emu.SNS are base URLs for AWS_ENDPOINT_URL_<SERVICE>.
//
// A port of 0 lets the system choose a free one, which is what tests want: test binaries
// that run in parallel then never share an emulator. A fixed port that is taken makes
// Start fail with an error naming it.
//
// The emulators live no longer than the process that started them: they exit when their
// standard input closes, which happens when Close is called or when this process dies,
// however it dies.
//
// When node or npm is not on PATH, Start and [EnsureNodeModules] fail with an error that
// says so.
package emulator
