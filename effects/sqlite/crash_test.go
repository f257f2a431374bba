package sqlite_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"gati.dev/gati/effects"
	"gati.dev/gati/effects/effectstest"
	"gati.dev/gati/effects/sqlite"
)

// The crash tests re-run this test binary as a child that writes to the
// database and reports on stdout what the backend said it wrote; the
// parent kills it with SIGKILL, reopens the file and checks.
const (
	childEnv = "GATI_SQLITE_CRASH_CHILD"
	fileEnv  = "GATI_SQLITE_CRASH_FILE"
)

func TestMain(m *testing.M) {
	effectstest.MaybeCrashChild() // RunCrash's worker processes run here and exit
	switch os.Getenv(childEnv) {
	case "":
		os.Exit(m.Run())
	case "writes":
		childWrites(os.Getenv(fileEnv))
	case "opentx":
		childOpenTx(os.Getenv(fileEnv))
	}
	os.Exit(3)
}

func report(format string, a ...any) {
	// One write(2) per line, unbuffered: what is reported is in the pipe
	// before the next write to the database starts.
	os.Stdout.WriteString(fmt.Sprintf(format, a...) + "\n")
}

func childFail(err error) {
	report("fail %v", err)
	os.Exit(2)
}

// childWrites enqueues (singly and in batches) in one goroutine while
// another fetches and completes, reporting "E ids" after each Enqueue
// and "C ids" after each Complete returned, until it is killed.
func childWrites(path string) {
	ctx := context.Background()
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		childFail(err)
	}
	go func() {
		for {
			jobs, err := b.Fetch(ctx, "crash", 50, time.Minute)
			if err != nil {
				childFail(err)
			}
			if len(jobs) == 0 {
				time.Sleep(time.Millisecond)
				continue
			}
			outcomes := make([]effects.Outcome, len(jobs))
			ids := make([]string, len(jobs))
			for i, j := range jobs {
				outcomes[i] = effects.Outcome{ID: j.ID, Lease: j.Lease, Result: effects.ResultSucceeded}
				ids[i] = j.ID
			}
			if err := b.Complete(ctx, outcomes); err != nil {
				childFail(err)
			}
			report("C %s", strings.Join(ids, " "))
		}
	}()
	report("ready")
	for n := 0; ; n++ {
		batch := []*effects.Job{job("crash", n)}
		if n%2 == 1 {
			for i := range 1 + n%37 {
				batch = append(batch, job("crash", n*100+i))
			}
		}
		ins, err := b.Enqueue(ctx, batch)
		if err != nil {
			childFail(err)
		}
		ids := make([]string, len(ins))
		for i, in := range ins {
			ids[i] = in.ID
		}
		report("E %s", strings.Join(ids, " "))
	}
}

// childOpenTx commits effects, then leaves a transaction of the app's
// holding the write lock, with effects enqueued in it, open until it is
// killed.
func childOpenTx(path string) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_txlock=immediate")
	if err != nil {
		childFail(err)
	}
	b, err := sqlite.New(db)
	if err != nil {
		childFail(err)
	}
	ins, err := b.Enqueue(ctx, []*effects.Job{job("crash", 1), job("crash", 2)})
	if err != nil {
		childFail(err)
	}
	report("E %s %s", ins[0].ID, ins[1].ID)
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		childFail(err)
	}
	if _, err := tx.Exec(`CREATE TABLE app_orders (id INTEGER PRIMARY KEY)`); err != nil {
		childFail(err)
	}
	ins, err = b.EnqueueTx(ctx, tx, []*effects.Job{job("crash", 3)})
	if err != nil {
		childFail(err)
	}
	report("T %s", ins[0].ID)
	select {}
}

// child starts the test binary as a child in mode on path and returns
// its reports, read until stop says to kill it; it then kills it.
func child(t *testing.T, mode, path string, stop func(line string) bool) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, fileEnv+"="+path)
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	sc := bufio.NewScanner(out)
	sc.Buffer(nil, 1<<20)
	killed := false
	for sc.Scan() {
		line := sc.Text()
		lines = append(lines, line)
		if strings.HasPrefix(line, "fail ") {
			t.Fatalf("the child failed: %s", line)
		}
		if !killed && stop(line) {
			// Kill it mid-write, reading on: what it reported before
			// the signal landed is in the pipe.
			if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !killed || !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child ended on its own (%v) after %d lines", err, len(lines))
	}
	return lines
}

func TestKillDuringWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "effects.db")
	enqueued, completed := map[string]bool{}, map[string]bool{}
	for round := range 3 {
		var es, cs int
		// Kill after a random number of reports, once there were some
		// of each.
		after := 50 + rand.IntN(250)
		lines := child(t, "writes", path, func(line string) bool {
			switch line[0] {
			case 'E':
				es++
			case 'C':
				cs++
			}
			return es > after && cs > 5
		})
		for _, line := range lines {
			kind, ids, _ := strings.Cut(line, " ")
			for _, id := range strings.Fields(ids) {
				switch kind {
				case "E":
					enqueued[id] = true
				case "C":
					completed[id] = true
				}
			}
		}
		// Reopen as the app would, then read every state in one query.
		b, err := sqlite.Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: reopening after the kill: %v", round, err)
		}
		states := map[string]string{}
		db := appDB(t, path)
		rows, err := db.QueryContext(ctx, `SELECT id, state FROM gati_effects`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, state string
			if err := rows.Scan(&id, &state); err != nil {
				t.Fatal(err)
			}
			states[id] = state
		}
		rows.Close()
		var lost, unfinished int
		for id := range enqueued {
			state, ok := states[id]
			if !ok {
				lost++
				if lost < 5 {
					t.Errorf("round %d: effect %s was reported enqueued and is not in the file", round, id)
				}
				continue
			}
			if completed[id] && state != string(effects.StateSucceeded) {
				unfinished++
				if unfinished < 5 {
					t.Errorf("round %d: effect %s was reported completed, is %s", round, id, state)
				}
			}
		}
		var check string
		if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
			t.Errorf("round %d: integrity_check: %s %v", round, check, err)
		}
		db.Close()
		b.Close()
		t.Logf("round %d: killed after %d reports; %d enqueued and %d completed in all, %d lost, %d not completed",
			round, len(lines), len(enqueued), len(completed), lost, unfinished)
		if t.Failed() {
			return
		}
	}
}

func TestKillWithAnOpenTransaction(t *testing.T) {
	if testing.Short() {
		t.Skip("kills child processes")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "app.db")
	var committed []string
	var pending string
	child(t, "opentx", path, func(line string) bool {
		kind, ids, _ := strings.Cut(line, " ")
		switch kind {
		case "E":
			committed = strings.Fields(ids)
		case "T":
			pending = ids
			return true
		}
		return false
	})
	b, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening after the kill: %v", err)
	}
	defer b.Close()
	for _, id := range committed {
		if j, err := b.Get(ctx, id); err != nil || j.State != effects.StateAvailable {
			t.Errorf("committed effect %s: %v", id, err)
		}
	}
	if _, err := b.Get(ctx, pending); err == nil {
		t.Errorf("effect %s of the uncommitted transaction exists after the crash", pending)
	}
	var tables int
	if err := appDB(t, path).QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE name = 'app_orders'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("the app's uncommitted table: %d %v", tables, err)
	}
	// The dead process's write lock went with it.
	start := time.Now()
	if _, err := b.Enqueue(ctx, []*effects.Job{job("crash", 4)}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("the first write after the crash waited %s", d)
	}
}

// TestCrashWorkers kills worker processes with SIGKILL while they work
// through 10,000 effects: none is lost, each ends as its worker dictates.
func TestCrashWorkers(t *testing.T) {
	effectstest.RunCrash(t, effectstest.Crash{Driver: "sqlite", DSN: filepath.Join(t.TempDir(), "crash.db")})
}
