package auth_test

import (
	"context"
	"fmt"
	"time"

	"github.com/heraldhq/herald/internal/auth"
)

func Example() {
	secret := []byte("an-example-secret-of-32-bytes-or-more")
	v, err := auth.NewVerifier(context.Background(), auth.Options{HMACSecret: secret})
	if err != nil {
		panic(err)
	}
	token, err := auth.Mint(secret, auth.Claims{
		Subject:   "alice",
		TokenType: auth.Personal,
		Perms:     map[string]auth.Level{"projects/p1": auth.Write},
	}, time.Hour)
	if err != nil {
		panic(err)
	}

	c, err := v.Verify(context.Background(), token)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.Subject, c.LevelOn("projects/p1/c/x"), c.LevelOn("projects/p10"))
	fmt.Println(c.Require("projects/p1", auth.Admin))
	// Output:
	// alice WRITE NONE
	// forbidden: ADMIN permission on "projects/p1" is required
}

func ExampleFromContext() {
	// What an API function finds in req.RequestContext.Authorizer.Lambda.
	lambda := map[string]any{
		"sub":        "svc-platform",
		"token_type": "service",
		"roles":      "publisher",
		"perms":      `{"projects":"APPEND"}`,
	}
	c, err := auth.FromContext(lambda)
	if err != nil {
		panic(err)
	}
	fmt.Println(c.IsPublisher(), c.Can("projects/p1", auth.Append), c.Can("projects/p1", auth.Write))
	// Output: true true false
}

func ExampleBearerToken() {
	token, err := auth.BearerToken("bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl")
	fmt.Println(token, err)
	_, err = auth.BearerToken("Basic dXNlcjpwYXNz")
	fmt.Println(err)
	// Output:
	// eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl <nil>
	// unauthorized: the Authorization header must be "Bearer <token>"
}
