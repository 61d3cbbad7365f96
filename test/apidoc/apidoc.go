package apidoc

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
)

// FileName is the name of the API description at the root of the repository.
const FileName = "openapi.yaml"

// Root returns the repository root: the nearest folder at or above the working directory
// that holds go.mod.
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("apidoc: %w", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("apidoc: no go.mod at or above the working directory")
		}
		dir = parent
	}
}

// Path returns the path of openapi.yaml.
func Path() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	return filepath.Join(root, FileName), nil
}

// Load reads and parses openapi.yaml.
func Load() (libopenapi.Document, error) {
	path, err := Path()
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("apidoc: %w", err)
	}
	doc, err := libopenapi.NewDocument(data)
	if err != nil {
		return nil, fmt.Errorf("apidoc: parsing %s: %w", path, err)
	}
	return doc, nil
}

// New builds a validator from a fresh parse of openapi.yaml.
func New() (validator.Validator, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	// Formats (date-time, uuid) are asserted: a timestamp that is not RFC 3339 is a
	// contract break, not a matter of taste.
	v, errs := validator.NewValidator(doc, config.WithFormatAssertions())
	if len(errs) > 0 {
		return nil, fmt.Errorf("apidoc: building the validator: %w", errors.Join(errs...))
	}
	return v, nil
}

var shared struct {
	once sync.Once
	v    validator.Validator
	err  error
}

// Validator returns the validator of openapi.yaml, built on first use and shared by the
// whole process.
func Validator() (validator.Validator, error) {
	shared.once.Do(func() { shared.v, shared.err = New() })
	return shared.v, shared.err
}

// CheckResponse checks resp, the answer to req, against openapi.yaml: its status code,
// Content-Type and body. The body is read and put back, so the caller may read it after.
func CheckResponse(req *http.Request, resp *http.Response) error {
	v, err := Validator()
	if err != nil {
		return err
	}
	if ok, errs := v.ValidateHttpResponse(req, resp); !ok {
		return Failure(req, errs)
	}
	return nil
}

// CheckRequest checks req against openapi.yaml: its path, parameters, security and body.
// The body is read and put back.
func CheckRequest(req *http.Request) error {
	v, err := Validator()
	if err != nil {
		return err
	}
	if ok, errs := v.ValidateHttpRequestSync(req); !ok {
		return Failure(req, errs)
	}
	return nil
}

// Failure turns the validator's errors about req into one error, listing each problem
// and, for schema violations, the place in the body and the reason.
func Failure(req *http.Request, errs []*verrors.ValidationError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s does not follow %s:", req.Method, req.URL.Path, FileName)
	if len(errs) == 0 {
		b.WriteString(" (no details)")
	}
	for _, e := range errs {
		b.WriteString("\n  - ")
		b.WriteString(e.Message)
		if e.Reason != "" && e.Reason != e.Message {
			b.WriteString(": ")
			b.WriteString(e.Reason)
		}
		for _, f := range e.SchemaValidationErrors {
			where := f.FieldPath
			if where == "" {
				where = "/" + strings.Join(f.InstancePath, "/")
			}
			fmt.Fprintf(&b, "\n      %s: %s", where, f.Reason)
			if f.KeywordLocation != "" {
				fmt.Fprintf(&b, " (schema %s)", f.KeywordLocation)
			}
		}
	}
	return errors.New(b.String())
}
