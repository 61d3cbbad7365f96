package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/heraldhq/herald/devstack/lambdalocal"
	"github.com/heraldhq/herald/devstack/localstack"
)

// maxInvokePayload is Lambda's limit on a synchronous invocation's payload.
const maxInvokePayload = 6 * 1000 * 1000

// withLambdaAPI serves the Lambda Invoke API for the stack's functions beside the HTTP
// API, so that lambda actions (and anything using the AWS SDK with
// AWS_ENDPOINT_URL_LAMBDA) can invoke them by logical id or ARN, as in AWS.
func withLambdaAPI(api http.Handler, functions map[string]*lambdalocal.Function, log *slog.Logger) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, localstack.LambdaAPIPrefix)
		if !ok {
			api.ServeHTTP(w, r)
			return
		}
		name, ok := strings.CutSuffix(rest, "/invocations")
		if !ok || r.Method != http.MethodPost {
			lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "only POST "+localstack.LambdaAPIPrefix+"{name}/invocations is served")
			return
		}
		// An ARN names the function in its sixth field: arn:aws:lambda:region:account:function:NAME[:qualifier].
		if parts := strings.Split(name, ":"); len(parts) >= 7 && parts[0] == "arn" {
			name = parts[6]
		}
		f := functions[name]
		if f == nil {
			lambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+name)
			return
		}
		payload, err := io.ReadAll(io.LimitReader(r.Body, maxInvokePayload+1))
		if err != nil || len(payload) > maxInvokePayload {
			lambdaError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", "the payload is larger than 6 MB")
			return
		}
		switch r.Header.Get("X-Amz-Invocation-Type") {
		case "Event":
			// Asynchronous: accepted now, run on its own.
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
				defer cancel()
				if _, err := f.InvokeBytes(ctx, payload); err != nil {
					log.Warn("asynchronous invocation failed", "function", name, "error", err.Error())
				}
			}()
			w.WriteHeader(http.StatusAccepted)
		case "", "RequestResponse":
			body, err := f.InvokeBytes(r.Context(), payload)
			var ferr *lambdalocal.FunctionError
			switch {
			case errors.As(err, &ferr):
				w.Header().Set("X-Amz-Function-Error", "Unhandled")
				w.Header().Set("Content-Type", "application/json")
				json.NewEncoder(w).Encode(ferr)
			case err != nil:
				lambdaError(w, http.StatusServiceUnavailable, "ServiceException", err.Error())
			default:
				w.Header().Set("Content-Type", "application/json")
				w.Write(body)
			}
		default:
			lambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "X-Amz-Invocation-Type must be Event or RequestResponse")
		}
	})
}

// lambdaError answers as the Lambda API does on error.
func lambdaError(w http.ResponseWriter, status int, typ, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Amzn-ErrorType", typ)
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"Type": "User", "Message": msg})
}
