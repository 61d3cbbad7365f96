package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/heraldhq/herald/internal/auth"
)

// devSecret is the local stack's JWT secret when HERALD_JWT_SECRET is not set (the
// same default as herald-local's).
const devSecret = "herald-local-development-secret-do-not-deploy"

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

// token_ mints a token with the local stack's secret: for development only, as
// production tokens come from the identity provider.
func (a *app) token_(args []string) error {
	var sub, typ string
	var ttl time.Duration
	var roles, perms multi
	if _, err := flags("token", args, func(fs *flag.FlagSet) {
		fs.StringVar(&sub, "sub", "demo", "the user or service id")
		fs.StringVar(&typ, "type", "personal", "personal, scoped or service")
		fs.DurationVar(&ttl, "ttl", 24*time.Hour, "how long the token lives")
		fs.Var(&roles, "role", "a role (admin, publisher); repeatable")
		fs.Var(&perms, "perm", "PATH=LEVEL (READ, APPEND, WRITE, ADMIN); repeatable")
	}); err != nil {
		return err
	}
	c := auth.Claims{Subject: sub, TokenType: auth.TokenType(typ), Roles: roles, Perms: map[string]auth.Level{}}
	for _, p := range perms {
		path, level, ok := strings.Cut(p, "=")
		if !ok {
			return usageErr("--perm %q: want PATH=LEVEL", p)
		}
		var l auth.Level
		if err := json.Unmarshal([]byte(fmt.Sprintf("%q", strings.ToUpper(level))), &l); err != nil {
			return usageErr("--perm %q: the level must be READ, APPEND, WRITE or ADMIN", p)
		}
		c.Perms[path] = l
	}
	secret := first(os.Getenv("HERALD_JWT_SECRET"), devSecret)
	tok, err := auth.Mint([]byte(secret), c, ttl)
	if err != nil {
		return usageErr("%v", err)
	}
	fmt.Fprintln(a.stdout, tok)
	return nil
}
