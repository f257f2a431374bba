// This test runs in a module of its own, with the generated clients of the
// versioned-api example for version 2025-01-01 in
// example.com/client/v20250101 and for the head in example.com/client/head,
// against the head server at $E2E_URL (see TestVersionPinning).
package e2e_test

import (
	"errors"
	"os"
	"testing"
	"time"

	head "example.com/client/head"
	old "example.com/client/v20250101"
)

// TestOldClientOnHeadServer: a client pinned to 2025-01-01 creates and
// reads users in that version's shape, {"id","name"}, although the
// handlers speak 2025-06-01 only, and learns that its version is
// deprecated and when it goes away.
func TestOldClientOnHeadServer(t *testing.T) {
	ctx := t.Context()
	if old.Version != "2025-01-01" || head.Version != "2025-06-01" {
		t.Fatalf("versions %q and %q", old.Version, head.Version)
	}
	c := old.New(os.Getenv("E2E_URL"))
	created, resp, err := c.CreateUserHandler(ctx, old.CreateUser{Name: "Ada Lovelace"})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID == "" || created.Name != "Ada Lovelace" || resp.StatusCode != 201 {
		t.Fatalf("CreateUserHandler = %+v, %+v", created, resp)
	}
	sunset := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	if resp.APIVersion != "2025-01-01" || !resp.Deprecated || resp.Deprecation.IsZero() || !resp.Sunset.Equal(sunset) {
		t.Errorf("create response: version %q, deprecated %v (%v), sunset %v", resp.APIVersion, resp.Deprecated, resp.Deprecation, resp.Sunset)
	}

	got, resp, err := c.GetUser(ctx, old.GetUserParams{ID: created.ID})
	if err != nil {
		t.Fatal(err)
	}
	if got != created || resp.APIVersion != "2025-01-01" || !resp.Deprecated || !resp.Sunset.Equal(sunset) {
		t.Errorf("GetUser = %+v (%+v), want %+v", got, resp, created)
	}

	_, resp, err = c.GetUser(ctx, old.GetUserParams{ID: "999"})
	var apiErr *old.ApiError
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || apiErr.Code != "user_not_found" || !resp.Deprecated {
		t.Errorf("GetUser of a missing user: %v, %+v", err, resp)
	}

	// The head client reads the same user in the newest shape.
	h := head.New(os.Getenv("E2E_URL"))
	u, headResp, err := h.GetUser(ctx, head.GetUserParams{ID: created.ID})
	if err != nil {
		t.Fatal(err)
	}
	if u.FirstName != "Ada" || u.LastName != "Lovelace" || headResp.APIVersion != "2025-06-01" || headResp.Deprecated || !headResp.Sunset.IsZero() {
		t.Errorf("head GetUser = %+v, %+v", u, headResp)
	}

	// WithVersion re-pins a client: the head client asks for 2025-01-01.
	_, headResp, err = head.New(os.Getenv("E2E_URL"), head.WithVersion("2025-01-01")).GetUser(ctx, head.GetUserParams{ID: created.ID})
	if err != nil || headResp.APIVersion != "2025-01-01" || !headResp.Deprecated {
		t.Errorf("WithVersion(2025-01-01): %v, %+v", err, headResp)
	}
}
