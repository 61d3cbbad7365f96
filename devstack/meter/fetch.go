package meter

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Fetch reads the Usage a [Meter.Handler] serves at url.
func Fetch(ctx context.Context, client *http.Client, url string) (Usage, error) {
	var u Usage
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return u, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return u, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return u, fmt.Errorf("GET %s: %s: %s", url, resp.Status, body)
	}
	if err := json.NewDecoder(resp.Body).Decode(&u); err != nil {
		return u, fmt.Errorf("GET %s: %w", url, err)
	}
	return u, nil
}
