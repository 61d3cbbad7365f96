package gateway

import (
	"encoding/base64"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
)

// incoming is what the gateway read of one HTTP request, in the shapes every payload
// format shares.
type incoming struct {
	method, rawPath, rawQuery string
	headers                   map[string]string // lower-case names, repeated values joined by ","
	query                     map[string]string
	cookies                   []string
	body                      string
	base64                    bool
	requestID                 string
	sourceIP, userAgent, host string
	protocol                  string
	now                       time.Time
}

func readIncoming(r *http.Request, body []byte) incoming {
	in := incoming{
		method:    r.Method,
		rawPath:   r.URL.EscapedPath(),
		rawQuery:  r.URL.RawQuery,
		headers:   map[string]string{},
		requestID: uuid.NewString(),
		userAgent: r.UserAgent(),
		host:      r.Host,
		protocol:  r.Proto,
		now:       time.Now(),
	}
	in.sourceIP, _, _ = net.SplitHostPort(r.RemoteAddr)
	for name, values := range r.Header {
		if strings.EqualFold(name, "Cookie") {
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						in.cookies = append(in.cookies, c)
					}
				}
			}
			continue
		}
		in.headers[strings.ToLower(name)] = strings.Join(values, ",")
	}
	in.headers["host"] = r.Host
	if q := r.URL.Query(); len(q) > 0 {
		in.query = make(map[string]string, len(q))
		for k, v := range q {
			in.query[k] = strings.Join(v, ",")
		}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type"), body) {
			in.body = string(body)
		} else {
			in.body, in.base64 = base64.StdEncoding.EncodeToString(body), true
		}
	}
	return in
}

// isText says whether API Gateway would pass the body as text rather than base64.
func isText(contentType string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"), strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript", "application/x-www-form-urlencoded", "application/x-ndjson":
		return true
	}
	return false
}

func (in incoming) httpContext() awsevents.APIGatewayV2HTTPRequestContextHTTPDescription {
	return awsevents.APIGatewayV2HTTPRequestContextHTTPDescription{
		Method: in.method, Path: in.rawPath, Protocol: in.protocol, SourceIP: in.sourceIP, UserAgent: in.userAgent,
	}
}

func (in incoming) requestContext(routeKey string) awsevents.APIGatewayV2HTTPRequestContext {
	return awsevents.APIGatewayV2HTTPRequestContext{
		RouteKey:     routeKey,
		AccountID:    accountID,
		Stage:        "$default",
		RequestID:    in.requestID,
		APIID:        apiID,
		DomainName:   in.host,
		DomainPrefix: strings.SplitN(in.host, ".", 2)[0],
		Time:         in.now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
		TimeEpoch:    in.now.UnixMilli(),
		HTTP:         in.httpContext(),
	}
}

// httpAPIRequest is the HTTP API payload format 2.0 request for a route.
func (in incoming) httpAPIRequest(rt Route, params map[string]string, authContext map[string]any) awsevents.APIGatewayV2HTTPRequest {
	req := awsevents.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              rt.RouteKey(),
		RawPath:               in.rawPath,
		RawQueryString:        in.rawQuery,
		Cookies:               in.cookies,
		Headers:               in.headers,
		QueryStringParameters: in.query,
		PathParameters:        params,
		RequestContext:        in.requestContext(rt.RouteKey()),
		Body:                  in.body,
		IsBase64Encoded:       in.base64,
	}
	if authContext != nil {
		req.RequestContext.Authorizer = &awsevents.APIGatewayV2HTTPRequestContextAuthorizerDescription{Lambda: authContext}
	}
	return req
}

// authorizerRequest is the Lambda authorizer payload format 2.0 request.
func (in incoming) authorizerRequest(rt Route, params map[string]string, identity []string, region string) awsevents.APIGatewayV2CustomAuthorizerV2Request {
	return awsevents.APIGatewayV2CustomAuthorizerV2Request{
		Version:               "2.0",
		Type:                  "REQUEST",
		RouteArn:              "arn:aws:execute-api:" + region + ":" + accountID + ":" + apiID + "/$default/" + rt.Method + rt.Path,
		IdentitySource:        identity,
		RouteKey:              rt.RouteKey(),
		RawPath:               in.rawPath,
		RawQueryString:        in.rawQuery,
		Cookies:               in.cookies,
		Headers:               in.headers,
		QueryStringParameters: in.query,
		PathParameters:        params,
		RequestContext:        in.requestContext(rt.RouteKey()),
	}
}

// functionURLRequest is the Function URL request (the same as payload 2.0, less routes).
func (in incoming) functionURLRequest() awsevents.LambdaFunctionURLRequest {
	return awsevents.LambdaFunctionURLRequest{
		Version:               "2.0",
		RawPath:               in.rawPath,
		RawQueryString:        in.rawQuery,
		Cookies:               in.cookies,
		Headers:               in.headers,
		QueryStringParameters: in.query,
		RequestContext: awsevents.LambdaFunctionURLRequestContext{
			AccountID:    accountID,
			RequestID:    in.requestID,
			DomainName:   in.host,
			DomainPrefix: strings.SplitN(in.host, ".", 2)[0],
			Time:         in.now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:    in.now.UnixMilli(),
			HTTP: awsevents.LambdaFunctionURLRequestContextHTTPDescription{
				Method: in.method, Path: in.rawPath, Protocol: in.protocol, SourceIP: in.sourceIP, UserAgent: in.userAgent,
			},
		},
		Body:            in.body,
		IsBase64Encoded: in.base64,
	}
}
