package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"gati.dev/gati/effects"
	"gati.dev/gati/gatitest"
)

// TestOrdersAreChargedAfterTheResponse runs the app as in production
// (its binary, SQLite in a temporary data directory): an order is
// answered pending at once, then its charge runs as an effect; a flaky
// gateway is retried until it pays, a declined card ends in the
// dead-letter queue, and the binary's own "effects" command lists and
// retries it.
func TestOrdersAreChargedAfterTheResponse(t *testing.T) {
	bin := gatitest.Build(t, ".")
	data := t.TempDir()
	env := append(os.Environ(), "GATI_DATA_DIR="+data)
	cmd := exec.Command(bin)
	cmd.Env = env
	app := gatitest.Start(t, cmd)

	place := func(card string) Order {
		body := fmt.Sprintf(`{"item":"book","cents":1299,"card":%q}`, card)
		resp, err := http.Post(app.URL+"/orders", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var o Order
		json.NewDecoder(resp.Body).Decode(&o)
		if resp.StatusCode != http.StatusCreated || o.Status != "pending" || o.ID == "" {
			t.Fatalf("POST /orders with card %s: %d %+v, want 201 pending", card, resp.StatusCode, o)
		}
		return o
	}
	settled := func(id string) Order {
		deadline := time.Now().Add(20 * time.Second)
		for {
			resp, err := http.Get(app.URL + "/orders/" + id)
			if err != nil {
				t.Fatal(err)
			}
			var o Order
			json.NewDecoder(resp.Body).Decode(&o)
			resp.Body.Close()
			if o.Status != "pending" {
				return o
			}
			if time.Now().After(deadline) {
				t.Fatalf("order %s still pending after 20s:\n%s", id, app.Logs())
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	ok, flaky, declined := place("4242 4242 4242 4242"), place("4000 0000 0000 0119"), place("4000 0000 0000 0002")
	if o := settled(ok.ID); o.Status != "paid" {
		t.Errorf("good card: %+v, want paid", o)
	}
	if o := settled(flaky.ID); o.Status != "paid" {
		t.Errorf("flaky gateway: %+v, want paid after retries", o)
	}
	if o := settled(declined.ID); o.Status != "failed" || o.Reason != "insufficient funds" {
		t.Errorf("declined card: %+v, want failed: insufficient funds", o)
	}
	if n := strings.Count(app.Logs(), "charge failed; it will be retried"); n != 2 {
		t.Errorf("the flaky charge failed %d times, want 2 before it paid", n)
	}

	// The operator's view, through the binary's own command.
	run := func(args ...string) string {
		c := exec.Command(bin, append([]string{"effects"}, args...)...)
		c.Env = env
		var out bytes.Buffer
		c.Stdout, c.Stderr = &out, &out
		if err := c.Run(); err != nil {
			t.Fatalf("%s effects %s: %v\n%s", bin, strings.Join(args, " "), err, out.String())
		}
		return out.String()
	}
	var dead []effects.Job
	if err := json.Unmarshal([]byte(run("dlq", "list", "-json")), &dead); err != nil {
		t.Fatal(err)
	}
	if len(dead) != 1 || dead[0].Kind != "charge_card" || len(dead[0].Errors) != 1 || dead[0].Errors[0].Reason != "canceled" ||
		!strings.Contains(dead[0].Errors[0].Error, "insufficient funds") || !strings.Contains(string(dead[0].Args), declined.ID) {
		t.Fatalf("dead-letter queue: %+v, want the declined charge", dead)
	}
	if out := run("dlq", "retry", dead[0].ID); !strings.Contains(out, "retried 1 of 1") {
		t.Fatalf("dlq retry: %s", out)
	}
	// Declined again: back in the dead-letter queue with both attempts' errors.
	deadline := time.Now().Add(20 * time.Second)
	for {
		var again []effects.Job
		json.Unmarshal([]byte(run("dlq", "list", "-json")), &again)
		if len(again) == 1 && len(again[0].Errors) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the retried charge did not return to the dead-letter queue: %+v\n%s", again, app.Logs())
		}
		time.Sleep(100 * time.Millisecond)
	}
	app.Stop(t)
}
