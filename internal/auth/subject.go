package auth

// ValidSubject reports whether s could be a token's subject (a user id): non-empty,
// printable UTF-8 of bounded length. Routes that take a user id as input check it so.
func ValidSubject(s string) bool { return s != "" && validSubject(s) }
