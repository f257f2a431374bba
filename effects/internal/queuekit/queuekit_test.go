package queuekit

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"gati.dev/gati/effects"
)

func TestNewID(t *testing.T) {
	a, b := NewID(), NewID()
	if a == b || len(a) != 36 || a[14] != '4' || a[8] != '-' || a[23] != '-' || !slices.Contains([]byte("89ab"), a[19]) {
		t.Fatalf("ids %s %s", a, b)
	}
}

func TestTable(t *testing.T) {
	var tab Table[string]
	now := time.Now()
	old := tab.Add("j1", "first", now.Add(time.Minute))
	if l, ok := tab.Lookup("j1", old); !ok || l != "first" {
		t.Fatalf("Lookup = %q %v", l, ok)
	}
	if _, ok := tab.Lookup("j2", old); ok {
		t.Fatal("a token was found under another job")
	}
	cur := tab.Add("j1", "second", now.Add(time.Minute)) // leased again here
	if _, ok := tab.Lookup("j1", old); ok {
		t.Fatal("the replaced lease is still current")
	}
	if l, ok := tab.Lookup("j1", cur); !ok || l != "second" {
		t.Fatalf("Lookup = %q %v", l, ok)
	}
	tab.Release("j1", old) // a stale outcome does not drop the current lease
	if _, ok := tab.Lookup("j1", cur); !ok {
		t.Fatal("releasing a stale token dropped the current lease")
	}
	tab.Release("j1", cur)
	if _, ok := tab.Lookup("j1", cur); ok || tab.Len() != 0 {
		t.Fatalf("released lease still held (%d)", tab.Len())
	}
	tab.Add("j3", "x", now)
	tab.Clear()
	if tab.Len() != 0 {
		t.Fatal("Clear kept leases")
	}
}

func TestTablePrune(t *testing.T) {
	var tab Table[int]
	now := time.Now()
	stale := tab.Add("stale", 0, now.Add(-2*time.Hour))
	renewed := tab.Add("renewed", 0, now.Add(-2*time.Hour))
	tab.Renew(renewed, now)
	tab.Prune(now)
	if tab.Len() != 2 {
		t.Fatal("pruned a small table")
	}
	for i := range pruneAt {
		tab.Add(fmt.Sprint(i), i, now.Add(-30*time.Minute))
	}
	tab.Prune(now)
	if _, ok := tab.Lookup("stale", stale); ok {
		t.Fatal("a lease two hours past its end was kept")
	}
	if _, ok := tab.Lookup("renewed", renewed); !ok {
		t.Fatal("a renewed lease was pruned")
	}
	if tab.Len() != pruneAt+1 {
		t.Fatalf("%d leases after pruning, want %d", tab.Len(), pruneAt+1)
	}
}

type msg struct {
	job effects.Job
	tag string
}

func jobOf(m *msg) *effects.Job { return &m.job }

func dead(id, kind string, at time.Time, tag string) *msg {
	return &msg{job: effects.Job{ID: id, Kind: kind, FinishedAt: at}, tag: tag}
}

func ids(jobs []*effects.Job) []string {
	var out []string
	for _, j := range jobs {
		out = append(out, j.ID)
	}
	return out
}

func TestDeadPage(t *testing.T) {
	t0 := time.Now()
	msgs := []*msg{
		dead("a", "mail", t0, ""),
		dead("b", "sms", t0.Add(time.Second), ""),
		dead("c", "mail", t0.Add(2*time.Second), "old"),
		dead("c", "mail", t0.Add(3*time.Second), "new"), // dead-lettered twice
		dead("d", "mail", t0.Add(3*time.Second), ""),
	}
	if got := Newest(msgs, jobOf); len(got) != 4 || got[1].job.ID != "c" || got[1].tag != "new" {
		t.Fatalf("Newest kept %+v", got)
	}
	for _, c := range []struct {
		q    effects.DeadQuery
		want []string
	}{
		{effects.DeadQuery{}, []string{"d", "c", "b", "a"}},
		{effects.DeadQuery{Kind: "mail"}, []string{"d", "c", "a"}},
		{effects.DeadQuery{Limit: 2}, []string{"d", "c"}},
		{effects.DeadQuery{Limit: 2, Before: "c"}, []string{"b", "a"}},
		{effects.DeadQuery{Before: "gone"}, nil},
	} {
		if got := ids(DeadPage(msgs, jobOf, c.q)); !slices.Equal(got, c.want) {
			t.Errorf("DeadPage(%+v) = %v, want %v", c.q, got, c.want)
		}
	}
	page := DeadPage(msgs, jobOf, effects.DeadQuery{Limit: 1})
	page[0].Kind = "changed"
	if msgs[4].job.Kind != "mail" {
		t.Fatal("the page shares its jobs with the messages")
	}
}

func TestFind(t *testing.T) {
	t0 := time.Now()
	queues := map[string][]*msg{
		"q1": {dead("a", "k", t0, "")},
		"q2": {dead("x", "k", t0, "old"), dead("b", "k", t0, ""), dead("x", "k", t0.Add(time.Second), "new")},
		"q3": {dead("x", "k", t0, "q3")},
	}
	var scanned []string
	givenBack := map[string]int{}
	scan := func(q string) ([]*msg, error) { scanned = append(scanned, q); return queues[q], nil }
	giveBack := func(q string, ms []*msg) { givenBack[q] += len(ms) }
	found, err := Find([]string{"q1", "q2", "q3"}, "x", jobOf, scan, giveBack)
	if err != nil || len(found) != 2 || found[0].tag != "new" || found[1].tag != "old" {
		t.Fatalf("Find = %+v %v, want q2's two copies, newest first", found, err)
	}
	if !slices.Equal(scanned, []string{"q1", "q2"}) || givenBack["q1"] != 1 || givenBack["q2"] != 1 {
		t.Fatalf("scanned %v, gave back %v", scanned, givenBack)
	}
	if _, err := Find([]string{"q1"}, "nope", jobOf, scan, giveBack); !errors.Is(err, effects.ErrNotFound) {
		t.Fatalf("Find of a missing job: %v", err)
	}
	boom := errors.New("boom")
	if _, err := Find([]string{"q1"}, "a", jobOf, func(string) ([]*msg, error) { return nil, boom }, giveBack); !errors.Is(err, boom) {
		t.Fatalf("Find with a failing scan: %v", err)
	}
}

func TestFresh(t *testing.T) {
	j := &effects.Job{ID: "old", Kind: "k", Queue: "q", State: effects.StateDead, Attempt: 3, Priority: 2, Lease: "l",
		Errors: []effects.AttemptError{{Reason: "error"}}, FinishedAt: time.Now(), LeaseUntil: time.Now(), MaxAttempts: 5}
	f := Fresh(j)
	if f.ID == "old" || len(f.ID) != 36 || f.State != effects.StateAvailable || f.Attempt != 0 || f.Priority != 0 || f.Lease != "" ||
		f.Errors != nil || !f.FinishedAt.IsZero() || !f.LeaseUntil.IsZero() || f.Kind != "k" || f.Queue != "q" || f.MaxAttempts != 5 {
		t.Fatalf("Fresh = %+v", f)
	}
	if j.ID != "old" {
		t.Fatal("Fresh changed its argument")
	}
}
