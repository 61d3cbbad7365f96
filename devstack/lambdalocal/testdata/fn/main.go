// Command fn is the Lambda function lambdalocal's tests run. The payload selects what it
// does; FN_INIT and FN_SIGTERM select how it starts and stops.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

type request struct {
	Mode    string          `json:"mode"`
	Data    json.RawMessage `json:"data,omitempty"`
	MS      int             `json:"ms,omitempty"`
	File    string          `json:"file,omitempty"`    // wait for this file to exist
	Started string          `json:"started,omitempty"` // create this file on start
	Closed  string          `json:"closed,omitempty"`  // create this file when the response is closed
	Chunks  []string        `json:"chunks,omitempty"`
	Code    int             `json:"code,omitempty"`
	Message string          `json:"message,omitempty"`
	Size    int             `json:"size,omitempty"`
	Lines   []string        `json:"lines,omitempty"`
}

type handlerError struct{ msg string }

func (e *handlerError) Error() string { return e.msg }

type streamError struct{ msg string }

func (e *streamError) Error() string { return e.msg }

func main() {
	switch mode := os.Getenv("FN_INIT"); {
	case mode == "exit":
		fmt.Fprintln(os.Stderr, "init: exiting")
		os.Exit(2)
	case mode == "post":
		postInitError()
		os.Exit(1)
	case mode == "raw":
		rawRuntime()
		return
	case strings.HasPrefix(mode, "sleep:"):
		ms, _ := strconv.Atoi(strings.TrimPrefix(mode, "sleep:"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
	}
	lambda.StartWithOptions(handle, lambda.WithEnableSIGTERM(func() {
		fmt.Println("sigterm hook ran")
		if os.Getenv("FN_SIGTERM") != "ignore" {
			os.Exit(0)
		}
	}))
}

// postInitError reports an init failure the way custom runtimes do; aws-lambda-go never
// calls /init/error itself.
func postInitError() {
	body := `{"errorType":"Config.Missing","errorMessage":"HERALD_TABLE not set"}`
	url := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/init/error"
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Config.Missing")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
}

func handle(ctx context.Context, req request) (any, error) {
	if req.Started != "" {
		os.WriteFile(req.Started, nil, 0o644)
	}
	switch req.Mode {
	case "echo":
		return req.Data, nil
	case "pid":
		return map[string]int{"pid": os.Getpid()}, nil
	case "env":
		env := map[string]string{}
		for _, kv := range os.Environ() {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		cwd, _ := os.Getwd()
		env["(cwd)"] = cwd
		return env, nil
	case "ctx":
		lc, _ := lambdacontext.FromContext(ctx)
		deadline, _ := ctx.Deadline()
		return map[string]any{
			"request_id":  lc.AwsRequestID,
			"arn":         lc.InvokedFunctionArn,
			"deadline_ms": deadline.UnixMilli(),
			"trace_id":    ctx.Value("x-amzn-trace-id"),
			"memory":      lambdacontext.MemoryLimitInMB,
			"name":        lambdacontext.FunctionName,
		}, nil
	case "sleep":
		time.Sleep(time.Duration(req.MS) * time.Millisecond)
		return map[string]int{"pid": os.Getpid()}, nil
	case "wait":
		waitFor(req.File)
		return map[string]int{"pid": os.Getpid()}, nil
	case "error":
		return nil, &handlerError{req.Message}
	case "panic":
		panic(req.Message)
	case "exit":
		os.Exit(req.Code)
	case "log":
		// Lines written in pieces, so the runtime has to reassemble them.
		for _, l := range req.Lines {
			half := len(l) / 2
			os.Stdout.WriteString(l[:half])
			os.Stdout.WriteString(l[half:] + "\n")
			fmt.Fprintln(os.Stderr, "err:"+l)
		}
		// stderr: the SIGTERM hook's line on stdout would complete it.
		os.Stderr.WriteString("unterminated")
		return "logged", nil
	case "big":
		return strings.Repeat("x", req.Size), nil
	case "child":
		// A process the function leaves running, holding the function's stdout; it must
		// die with the instance and must not delay noticing the instance's exit.
		cmd := exec.Command("sleep", "60")
		cmd.Stdout = os.Stdout
		if err := cmd.Start(); err != nil {
			return nil, err
		}
		return map[string]int{"pid": os.Getpid(), "child": cmd.Process.Pid}, nil
	case "stream", "stream-fail":
		pr, pw := io.Pipe()
		go func() {
			if len(req.Chunks) > 0 {
				pw.Write([]byte(req.Chunks[0]))
			}
			waitFor(req.File)
			for _, c := range req.Chunks[min(1, len(req.Chunks)):] {
				pw.Write([]byte(c))
			}
			if req.Mode == "stream-fail" {
				pw.CloseWithError(&streamError{req.Message})
				return
			}
			pw.Close()
		}()
		return &awsevents.LambdaFunctionURLStreamingResponse{
			StatusCode: 200,
			Headers:    map[string]string{"Content-Type": "text/event-stream"},
			Body:       &closeMarker{pr, req.Closed},
		}, nil
	case "bytes":
		return bytes.NewReader([]byte(req.Message)), nil
	}
	return nil, errors.New("unknown mode " + req.Mode)
}

// closeMarker is a response body that creates a file when it is closed, so that the tests
// see the runtime close it.
type closeMarker struct {
	*io.PipeReader
	file string
}

func (c *closeMarker) Close() error {
	if c.file != "" {
		os.WriteFile(c.file, nil, 0o644)
	}
	return c.PipeReader.Close()
}

// rawRuntime is a runtime of its own, without aws-lambda-go, that goes on to its next
// invocation when its response is refused, as runtimes other than Go's may. It answers
// "pid" and "stream" (the first chunk, then the rest once File exists).
func rawRuntime() {
	base := "http://" + os.Getenv("AWS_LAMBDA_RUNTIME_API") + "/2018-06-01/runtime/invocation/"
	for {
		resp, err := http.Get(base + "next")
		if err != nil {
			fmt.Fprintln(os.Stderr, "next:", err)
			os.Exit(1)
		}
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var req request
		json.NewDecoder(resp.Body).Decode(&req)
		resp.Body.Close()

		contentType := "application/json"
		var body io.Reader = strings.NewReader(fmt.Sprintf(`{"pid":%d}`, os.Getpid()))
		var pr *io.PipeReader
		if req.Mode == "stream" {
			var pw *io.PipeWriter
			pr, pw = io.Pipe()
			go func() {
				pw.Write([]byte(`{"statusCode":200}` + "\x00\x00\x00\x00\x00\x00\x00\x00"))
				for i, c := range req.Chunks {
					if i == 1 {
						waitFor(req.File)
					}
					if _, err := pw.Write([]byte(c)); err != nil {
						return
					}
				}
				pw.Close()
			}()
			contentType, body = "application/vnd.awslambda.http-integration-response", pr
		}
		resp, err = http.Post(base+id+"/response", contentType, body)
		if err == nil {
			fmt.Println("response answered", resp.StatusCode)
			resp.Body.Close()
		}
		if pr != nil {
			pr.Close()
		}
	}
}

// waitFor blocks until path exists: the tests' way of holding a function at a point
// without guessing how long that takes. It ignores the invocation's deadline on purpose.
func waitFor(path string) {
	if path == "" {
		return
	}
	for {
		if _, err := os.Stat(path); err == nil {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}
