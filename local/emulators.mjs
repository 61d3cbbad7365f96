// Starts the local AWS emulators Herald's tests and local stack use, bound to loopback:
// dynalite (DynamoDB) and fauxqs (SNS/SQS). Ports come from the command line
// (--dynamodb-port, --sqs-port; 0 picks a free port). When both listen it prints one JSON
// line, {"dynamodb":PORT,"sqs":PORT}, so the parent learns the ports it got.
// It exits when its standard input closes, so emulators never outlive the process that
// started them, and on SIGINT/SIGTERM.
import { createRequire } from "node:module";
import { parseArgs } from "node:util";

// fauxqs keeps its state in node:sqlite, which Node.js has from 22.5. local/package.json
// installs such a Node.js where one is published; anywhere else, say what is missing
// rather than fail on an import.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 5)) {
  console.error(`emulators: Node.js ${process.versions.node} is too old: fauxqs needs 22.5 or newer (put one on PATH)`);
  process.exit(3);
}
const { startFauxqs } = await import("fauxqs");

const require = createRequire(import.meta.url);
const dynalite = require("dynalite");

const { values } = parseArgs({
  options: {
    host: { type: "string", default: "127.0.0.1" },
    "dynamodb-port": { type: "string", default: "8000" },
    "sqs-port": { type: "string", default: "4566" },
    "dynamodb-path": { type: "string" },
    "sqs-path": { type: "string" },
  },
});

function listen(server, port, host) {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve(server.address().port));
  });
}

async function main() {
  const host = values.host;
  const dyn = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    path: values["dynamodb-path"],
  });
  let dynPort;
  try {
    dynPort = await listen(dyn, Number(values["dynamodb-port"]), host);
  } catch (err) {
    console.error(`dynalite: cannot listen on ${host}:${values["dynamodb-port"]}: ${err.message}`);
    process.exit(2);
  }

  let sqs;
  try {
    sqs = await startFauxqs({ port: Number(values["sqs-port"]), host, logger: false, dataDir: values["sqs-path"] });
  } catch (err) {
    console.error(`fauxqs: cannot listen on ${host}:${values["sqs-port"]}: ${err.message}`);
    process.exit(2);
  }

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    dyn.close();
    await sqs.stop().catch(() => {});
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.stdin.on("end", stop);
  process.stdin.on("close", stop);
  process.stdin.resume();

  process.stdout.write(JSON.stringify({ dynamodb: dynPort, sqs: sqs.port }) + "\n");
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
