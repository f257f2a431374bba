package devserver

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// progress follows a go build -v: it counts the packages Go reports as
// it compiles them and, every interval while the build runs, writes a
// line saying how long it has taken, how many packages are done and the
// latest one, so a first build on a cold cache does not run in silence.
// Everything else Go writes (the compiler's errors) is kept for the
// build's error.
type progress struct {
	out      io.Writer
	start    time.Time
	stop     chan struct{}
	done     chan struct{}
	mu       sync.Mutex
	partial  []byte // an unfinished line
	errs     bytes.Buffer
	packages int
	last     string
}

// startProgress reports on out every interval until finish is called.
func startProgress(out io.Writer, interval time.Duration) *progress {
	p := &progress{out: out, start: time.Now(), stop: make(chan struct{}), done: make(chan struct{})}
	go p.tick(interval)
	return p
}

func (p *progress) tick(interval time.Duration) {
	defer close(p.done)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-p.stop:
			return
		case <-t.C:
			fmt.Fprintln(p.out, p.line())
		}
	}
}

// line is one progress report: "  go build: 12s, 57 packages compiled (last: net/http)".
func (p *progress) line() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := fmt.Sprintf("  go build: %s, %s compiled", time.Since(p.start).Round(time.Second), plural(p.packages, "package"))
	if p.last != "" {
		s += " (last: " + p.last + ")"
	}
	return s
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Write takes go build's combined output.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	data := append(p.partial, b...)
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			break
		}
		p.take(string(data[:i]))
		data = data[i+1:]
	}
	p.partial = append([]byte(nil), data...)
	return len(b), nil
}

// take sorts a line: with -v, Go prints each package's import path alone
// on a line as it builds it; anything else is the compiler speaking.
func (p *progress) take(line string) {
	if isImportPath(line) {
		p.packages++
		p.last = line
		return
	}
	p.errs.WriteString(line)
	p.errs.WriteByte('\n')
}

func isImportPath(line string) bool {
	return line != "" && !strings.ContainsAny(line, " \t:#()") && !strings.HasPrefix(line, ".")
}

// finish stops the reports and returns what the build wrote besides
// package names, and how many packages it compiled.
func (p *progress) finish() (string, int) {
	close(p.stop)
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.partial) > 0 {
		p.take(string(p.partial))
		p.partial = nil
	}
	return p.errs.String(), p.packages
}
