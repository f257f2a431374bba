package effectstest

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gati.dev/gati/effects"
)

// Crash configures RunCrash.
type Crash struct {
	// Driver and DSN open the backend, in the test and in each worker
	// process (the driver must be linked into the test binary).
	Driver, DSN string
	// Effects to enqueue (default 10,000) and Kills of worker processes
	// while they work (default 5).
	Effects, Kills int
	// Lease of the workers (default 1s): how soon a killed worker's
	// effects run again.
	Lease time.Duration
}

const crashChildEnv = "GATI_EFFECTS_CRASH_CHILD"

// The crash workload: the handler's verdict for effect n.
const (
	crashAlwaysFails = 0 // n%10 == 0: fails every attempt, dead after crashMaxAttempts
	crashFailsOnce   = 1 // n%10 == 1: fails its first attempt, then succeeds
	crashMaxAttempts = 8
)

var crashKind = effects.Define[args]("crash", effects.MaxAttempts(crashMaxAttempts))

// MaybeCrashChild runs a crash test's worker process when the test binary
// was started as one, and never returns then. Call it first in TestMain.
func MaybeCrashChild() {
	spec := os.Getenv(crashChildEnv)
	if spec == "" {
		return
	}
	var c struct {
		Crash
		Log string
	}
	if err := json.Unmarshal([]byte(spec), &c); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	if err := crashChild(c.Crash, c.Log); err != nil {
		fmt.Fprintln(os.Stderr, "crash child:", err)
		os.Exit(2)
	}
	os.Exit(0)
}

func crashChild(c Crash, logPath string) error {
	ctx := context.Background()
	b, err := effects.Open(ctx, c.Driver, effects.OpenConfig{DSN: c.DSN})
	if err != nil {
		return err
	}
	log, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	// Ten workers at 3ms an effect: the work lasts seconds, so the kills
	// land while it runs.
	fx := effects.New(b, effects.Config{Lease: c.Lease, PollInterval: 50 * time.Millisecond,
		Queues: map[string]effects.QueueConfig{"default": {Concurrency: 10}},
		Retry:  effects.RetryPolicy{Base: 20 * time.Millisecond, Max: 200 * time.Millisecond, Factor: 2}})
	effects.Work(fx, crashKind, func(ctx context.Context, e effects.Effect[args]) error {
		switch {
		case e.Args.N%10 == crashAlwaysFails:
			return fmt.Errorf("effect %d always fails", e.Args.N)
		case e.Args.N%10 == crashFailsOnce && e.Attempt == 1:
			return fmt.Errorf("effect %d fails its first attempt", e.Args.N)
		}
		time.Sleep(3 * time.Millisecond)
		// One write per success, before the outcome is recorded: a kill
		// between the two is a duplicate, which the parent counts.
		_, err := fmt.Fprintf(log, "%d\n", e.Args.N)
		return err
	})
	if err := fx.Start(ctx); err != nil {
		return err
	}
	select {} // until killed, or stopped by the parent's SIGTERM
}

// RunCrash enqueues c.Effects effects, starts worker processes and kills
// them with SIGKILL at random moments c.Kills times, then lets a last one
// finish. Every effect must end as its handler dictates (succeeded, or
// dead after its attempts with every error kept), none lost; successes
// run more than once (at-least-once delivery) are counted and reported.
// The test binary's TestMain must call MaybeCrashChild.
func RunCrash(t *testing.T, c Crash) {
	if c.Effects == 0 {
		c.Effects = 10_000
	}
	if c.Kills == 0 {
		c.Kills = 5
	}
	if c.Lease == 0 {
		c.Lease = time.Second
	}
	ctx := context.Background()
	b, err := effects.Open(ctx, c.Driver, effects.OpenConfig{DSN: c.DSN})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ids := make(map[string]int, c.Effects)
	for start := 0; start < c.Effects; start += 500 {
		var jobs []*effects.Job
		for n := start; n < min(start+500, c.Effects); n++ {
			body, _ := json.Marshal(args{N: n})
			now := time.Now()
			jobs = append(jobs, &effects.Job{Kind: crashKind.Name(), Queue: "default", Args: body, Priority: 2,
				MaxAttempts: crashMaxAttempts, RunAt: now, CreatedAt: now})
		}
		ins, err := b.Enqueue(ctx, jobs)
		if err != nil {
			t.Fatal(err)
		}
		for i, in := range ins {
			ids[in.ID] = start + i
		}
	}
	if len(ids) != c.Effects {
		t.Fatalf("enqueued %d distinct ids for %d effects", len(ids), c.Effects)
	}

	logPath := filepath.Join(t.TempDir(), "runs.log")
	spec, _ := json.Marshal(struct {
		Crash
		Log string
	}{c, logPath})
	startChild := func() *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+string(spec))
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	remaining := func() int64 {
		stats, err := b.Stats(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		for _, s := range stats {
			n += s.Available + s.Scheduled + s.Running
		}
		return n
	}

	began := time.Now()
	working := 0
	for k := range c.Kills {
		child := startChild()
		time.Sleep(time.Duration(150+rand.IntN(600)) * time.Millisecond)
		left := remaining()
		child.Process.Signal(syscall.SIGKILL)
		child.Wait()
		if left > 0 {
			working++
		}
		t.Logf("kill %d at %s: %d effects not finished", k+1, time.Since(began).Round(time.Millisecond), left)
	}
	if working < c.Kills-1 {
		t.Errorf("only %d of %d kills came while effects were unfinished: the crash test proved little", working, c.Kills)
	}
	last := startChild()
	deadline := time.Now().Add(5 * time.Minute)
	for remaining() > 0 {
		if time.Now().After(deadline) {
			last.Process.Kill()
			t.Fatalf("effects unfinished 5 minutes after the last kill: %d", remaining())
		}
		time.Sleep(100 * time.Millisecond)
	}
	last.Process.Signal(syscall.SIGTERM)
	last.Process.Kill()
	last.Wait()
	elapsed := time.Since(began)

	runs, err := readRuns(logPath)
	if err != nil {
		t.Fatal(err)
	}
	var succeeded, dead, duplicates, leaseErrors int
	for id, n := range ids {
		j, err := b.Get(ctx, id)
		if err != nil {
			t.Fatalf("effect %d (%s): %v", n, id, err)
		}
		if n%10 == crashAlwaysFails {
			if j.State != effects.StateDead || len(j.Errors) != crashMaxAttempts {
				t.Errorf("effect %d: state %s with %d errors, want dead with %d", n, j.State, len(j.Errors), crashMaxAttempts)
			}
			dead++
		} else {
			if j.State != effects.StateSucceeded {
				t.Errorf("effect %d: state %s, want succeeded (errors %+v)", n, j.State, j.Errors)
			}
			if runs[n] == 0 {
				t.Errorf("effect %d succeeded but its worker never wrote its success", n)
			}
			succeeded++
			duplicates += max(runs[n]-1, 0)
		}
		for _, e := range j.Errors {
			if e.Reason == "lease_expired" {
				leaseErrors++
			}
		}
	}
	t.Logf("%d effects, %d kills, %s: %d succeeded, %d dead as dictated, none lost; %d duplicate successes (at-least-once), %d attempts ended by a kill",
		c.Effects, c.Kills, elapsed.Round(time.Millisecond), succeeded, dead, duplicates, leaseErrors)
}

func readRuns(path string) (map[int]int, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return map[int]int{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	runs := map[int]int{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		n, err := strconv.Atoi(line)
		if err != nil {
			continue // a line torn by a kill
		}
		runs[n]++
	}
	return runs, sc.Err()
}
