package client

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
)

// Page is one page of a listing: {"items": […], "next_cursor": "…"}.
type Page[T any] struct {
	Items []T `json:"items"`
	// NextCursor fetches the next page (ListOptions.Cursor); empty after the last.
	NextCursor string `json:"next_cursor"`
}

// ListOptions select a page of a listing. The zero value asks for the first page of
// the server's default size (20).
type ListOptions struct {
	// Limit is the page size, 1 to 100; 0 leaves it to the server.
	Limit int
	// Cursor is a previous page's NextCursor; empty for the first page.
	Cursor string
}

// values returns the options as query parameters, leaving out what is unset so that
// the server's defaults apply.
func (o ListOptions) values() url.Values {
	q := url.Values{}
	if o.Limit != 0 {
		q.Set("limit", strconv.Itoa(o.Limit))
	}
	if o.Cursor != "" {
		q.Set("cursor", o.Cursor)
	}
	return q
}

// all iterates over every item of a listing from opts on, fetching a page at a time
// with list. An error ends the iteration after being yielded.
func all[T any](ctx context.Context, opts ListOptions, list func(context.Context, ListOptions) (*Page[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		for {
			page, err := list(ctx, opts)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, item := range page.Items {
				if !yield(item, nil) {
					return
				}
			}
			if page.NextCursor == "" {
				return
			}
			// A page may be empty and still have a successor (the server skips
			// expired items after reading them), but a cursor that does not move
			// would loop for ever.
			if page.NextCursor == opts.Cursor {
				yield(zero, fmt.Errorf("herald: the listing returned the cursor it was given (%q)", opts.Cursor))
				return
			}
			opts.Cursor = page.NextCursor
		}
	}
}
