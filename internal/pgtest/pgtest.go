// Package pgtest runs throwaway PostgreSQL servers for tests and
// benchmarks: initdb into a temporary directory, a server on a free
// loopback port with fsync off, and a fresh database per test.
//
// It needs the PostgreSQL server binaries (initdb, pg_ctl, psql): the
// newest /usr/lib/postgresql/*/bin (Debian/Ubuntu: apt-get install
// postgresql; scripts/test installs it), the directory $PGTEST_BINDIR
// names, or initdb on $PATH. Without them the tests fail, naming the
// package to install; they never skip. Run as root, the server runs as
// the postgres user (PostgreSQL refuses root); otherwise as the caller.
//
// A server outlives a test binary that dies without cleaning up only
// briefly: a watchdog process stops it and removes its directory once
// the process that started it is gone.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Server is a PostgreSQL server of its own: a cluster in a temporary
// directory, listening on 127.0.0.1:Port, superuser postgres, trust
// authentication.
type Server struct {
	Host string
	Port int

	bin      string // directory of initdb, pg_ctl, psql
	dir      string // temporary directory: data/, the socket, log
	runAs    string // "postgres" when run by root
	watchdog *os.Process
	dbs      atomic.Int64
	mu       sync.Mutex
	running  bool
}

// Options adjust Launch.
type Options struct {
	// Settings are extra server settings (name → value), passed as -c.
	Settings map[string]string
}

// InstallHint is what to do when the server binaries are missing.
const InstallHint = "install PostgreSQL's server binaries (Debian/Ubuntu: apt-get install postgresql; scripts/test installs it), or set $PGTEST_BINDIR to the directory of initdb and pg_ctl"

// BinDir finds the directory of initdb, pg_ctl and psql.
func BinDir() (string, error) {
	if d := os.Getenv("PGTEST_BINDIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err != nil {
			return "", fmt.Errorf("pgtest: $PGTEST_BINDIR=%s has no initdb: %s", d, InstallHint)
		}
		return d, nil
	}
	matches, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	slices.SortFunc(matches, func(a, b string) int { return pgVersion(b) - pgVersion(a) })
	if len(matches) > 0 {
		return filepath.Dir(matches[0]), nil
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("pgtest: the PostgreSQL server binaries (initdb, pg_ctl) are not in /usr/lib/postgresql/*/bin or on $PATH: " + InstallHint)
}

func pgVersion(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

// Launch creates a cluster in a new temporary directory and starts it.
// Close stops it and removes the directory.
func Launch(opts Options) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	s := &Server{Host: "127.0.0.1", bin: bin}
	if os.Geteuid() == 0 {
		s.runAs = "postgres"
	}
	s.dir, err = os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	if err := s.create(opts); err != nil {
		os.RemoveAll(s.dir)
		return nil, err
	}
	return s, nil
}

func (s *Server) create(opts Options) error {
	if s.runAs != "" {
		u, err := user.Lookup(s.runAs)
		if err != nil {
			return fmt.Errorf("pgtest: running as root, the server must run as the user postgres, which does not exist: %s", InstallHint)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(s.dir, uid, gid); err != nil {
			return err
		}
	}
	data := filepath.Join(s.dir, "data")
	if out, err := s.command("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: initdb: %v\n%s", err, out)
	}
	conf := "# written by pgtest\nfsync = off\nmax_connections = 200\n"
	for k, v := range opts.Settings {
		conf += fmt.Sprintf("%s = '%s'\n", k, strings.ReplaceAll(v, "'", "''"))
	}
	f, err := os.OpenFile(filepath.Join(data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := s.startWatchdog(); err != nil {
		return err
	}
	// A free port can be taken between the probe and the start: try a few.
	for try := 1; ; try++ {
		s.Port, err = freePort()
		if err != nil {
			return err
		}
		if err = s.Start(); err == nil || try == 3 {
			return err
		}
	}
}

// Start starts the server (again, after Stop) on its port.
func (s *Server) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.running {
		return nil
	}
	logf := filepath.Join(s.dir, "log")
	out, err := s.command("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-w", "-t", "60", "-l", logf,
		"-o", fmt.Sprintf("-p %d -k %s -c listen_addresses=%s", s.Port, s.dir, s.Host), "start").CombinedOutput()
	if err != nil {
		log, _ := os.ReadFile(logf)
		return fmt.Errorf("pgtest: pg_ctl start on port %d: %v\n%s\nserver log:\n%s", s.Port, err, out, tail(log, 2000))
	}
	s.running = true
	return nil
}

// Stop stops the server, keeping its data, so that Start can bring it back.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.running {
		return nil
	}
	out, err := s.command("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-w", "-m", "fast", "stop").CombinedOutput()
	if err != nil {
		return fmt.Errorf("pgtest: pg_ctl stop: %v\n%s", err, out)
	}
	s.running = false
	return nil
}

// Close stops the server and removes its directory.
func (s *Server) Close() error {
	err := s.Stop()
	if s.watchdog != nil {
		s.watchdog.Kill()
		s.watchdog.Wait()
		s.watchdog = nil
	}
	return errors.Join(err, os.RemoveAll(s.dir))
}

// DSN returns the URL of database db as the superuser postgres.
func (s *Server) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@%s/%s?sslmode=disable", net.JoinHostPort(s.Host, strconv.Itoa(s.Port)), db)
}

// Exec runs SQL with psql in database db.
func (s *Server) Exec(ctx context.Context, db, sql string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1",
		"-h", s.Host, "-p", strconv.Itoa(s.Port), "-U", "postgres", "-d", db, "-c", sql)
	cmd.Env = append(os.Environ(), "PGCONNECT_TIMEOUT=10")
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("pgtest: psql %q: %v\n%s", sql, err, out)
	}
	return nil
}

var unsafeName = regexp.MustCompile(`[^a-z0-9_]+`)

// CreateDatabase creates a new, empty database named after hint and
// returns its URL.
func (s *Server) CreateDatabase(ctx context.Context, hint string) (name, dsn string, err error) {
	name = fmt.Sprintf("t%d_%s", s.dbs.Add(1), unsafeName.ReplaceAllString(strings.ToLower(hint), "_"))
	if len(name) > 63 {
		name = name[:63]
	}
	// FILE_COPY copies the small template faster than WAL_LOG, the
	// default since PostgreSQL 15; servers before 15 refuse the clause.
	err = s.Exec(ctx, "postgres", "CREATE DATABASE "+name+" STRATEGY FILE_COPY")
	if err != nil {
		err = s.Exec(ctx, "postgres", "CREATE DATABASE "+name)
	}
	if err != nil {
		return "", "", err
	}
	return name, s.DSN(name), nil
}

// DropDatabase drops a database, closing its connections.
func (s *Server) DropDatabase(ctx context.Context, name string) error {
	return s.Exec(ctx, "postgres", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
}

func (s *Server) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(s.bin, name)
	if s.runAs != "" {
		return exec.Command("runuser", append([]string{"-u", s.runAs, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

// startWatchdog starts a process, in a session of its own, that stops
// the server and removes its directory once this process is gone: a test
// binary killed at its timeout leaves no server behind.
func (s *Server) startWatchdog() error {
	stop := s.command("pg_ctl", "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "stop")
	script := fmt.Sprintf(`while kill -0 %d 2>/dev/null; do sleep 1; done; %s >/dev/null 2>&1; rm -rf %s`,
		os.Getpid(), shellJoin(stop.Args), shellQuote(s.dir))
	cmd := exec.Command("/bin/sh", "-c", script)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("pgtest: start the watchdog: %w", err)
	}
	s.watchdog = cmd.Process
	return nil
}

func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// The test binary's shared server, started by the first Start.
var shared struct {
	sync.Mutex
	s   *Server
	err error
}

// Start returns the URL of a new, empty database on the test binary's
// shared server, starting the server on first use; the database is
// dropped when the test ends. Missing server binaries fail the test with
// what to install.
func Start(tb testing.TB) string {
	tb.Helper()
	s := Shared(tb)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, dsn, err := s.CreateDatabase(ctx, tb.Name())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := s.DropDatabase(ctx, name); err != nil {
			tb.Error(err)
		}
	})
	return dsn
}

// Shared returns the test binary's shared server, starting it on first
// use. Main stops it; without Main, its watchdog does when the binary exits.
func Shared(tb testing.TB) *Server {
	tb.Helper()
	shared.Lock()
	defer shared.Unlock()
	if shared.s == nil && shared.err == nil {
		shared.s, shared.err = Launch(Options{})
	}
	if shared.err != nil {
		tb.Fatal(shared.err)
	}
	return shared.s
}

// New starts a server of the test's own, closed when the test ends: for
// tests that stop and restart it.
func New(tb testing.TB) *Server {
	tb.Helper()
	s, err := Launch(Options{})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	return s
}

// Main runs the tests, then closes the shared server if they started
// it. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	shared.Lock()
	if shared.s != nil {
		if err := shared.s.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
		shared.s = nil
	}
	shared.Unlock()
	os.Exit(code)
}
