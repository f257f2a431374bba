// Command reloadprobe measures gati dev's hot reloads, as
// scripts/bench-reload runs it: while a steady request loop calls the app,
// it edits the handler's source several times and reports, for each save,
// how long until the new code answered and how long the loop went without
// an answer around the switch, and at the end how many requests failed
// (the target is none).
//
//	reloadprobe -url http://localhost:8080/hello -file hello.go -from '"Hello, "' -reloads 5
//
// Edit i replaces -from with -to formatted with i (every %d, or %[1]d,
// is i), and waits for a response containing -want formatted the same
// way: -to, unquoted, by default.
//
// With -load it edits nothing: it runs the request loop until interrupted
// and reports the requests, so that a yardstick build can run under the
// same load as a reload.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	url := flag.String("url", "http://localhost:8080/hello", "endpoint the request loop calls")
	file := flag.String("file", "hello.go", "source file to edit")
	from := flag.String("from", `"Hello, "`, "text in the file that each edit replaces with a new marker")
	to := flag.String("to", `"Reload%d, "`, "what edit i puts in place of -from; %d (or %[1]d) is i")
	want := flag.String("want", "", "what a response carries once edit i serves; default -to, unquoted")
	reloads := flag.Int("reloads", 5, "number of edits")
	every := flag.Duration("every", time.Millisecond, "how long the loop waits after each answer before the next request")
	load := flag.Bool("load", false, "edit nothing: run the request loop until interrupted")
	flag.Parse()
	if *want == "" {
		*want = strings.Trim(*to, `"`)
	}
	var err error
	if *load {
		err = runLoad(*url, *every)
	} else {
		err = run(*url, *every, edit{file: *file, from: *from, to: *to, want: *want}, *reloads)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "reloadprobe:", err)
		os.Exit(1)
	}
}

// edit says how to change the source and how to see the change served.
type edit struct {
	file, from, to, want string
}

func run(url string, every time.Duration, e edit, reloads int) error {
	src, err := os.ReadFile(e.file)
	if err != nil {
		return err
	}
	if !strings.Contains(string(src), e.from) {
		return fmt.Errorf("-from %s does not occur in %s", e.from, e.file)
	}
	defer os.WriteFile(e.file, src, 0o644) // leave the source as it was
	l := startLoop(url, every)
	var took []time.Duration
	for i := 1; i <= reloads; i++ {
		time.Sleep(500 * time.Millisecond)
		s, err := l.edit(e.file, strings.Replace(string(src), e.from, fmt.Sprintf(e.to, i), 1), fmt.Sprintf(e.want, i))
		if err != nil {
			l.finish()
			return err
		}
		took = append(took, s.took)
		fmt.Printf("reload %d: new code answered %.3fs after the save; the last old answer came %.1fms before the first new one\n",
			i, s.took.Seconds(), float64(s.gap.Microseconds())/1000)
	}
	ok, failed := l.finish()
	slices.Sort(took)
	fmt.Printf("reloads: %d, median %v, max %v; requests: %d ok, %d failed\n",
		len(took), took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), ok, failed)
	if failed > 0 {
		return errors.New("requests failed during reloads")
	}
	return nil
}

// runLoad runs the request loop until SIGINT or SIGTERM.
func runLoad(url string, every time.Duration) error {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, os.Interrupt, syscall.SIGTERM)
	l := startLoop(url, every)
	<-stop
	ok, failed := l.finish()
	fmt.Printf("requests: %d ok, %d failed\n", ok, failed)
	if failed > 0 {
		return errors.New("requests failed")
	}
	return nil
}

// switched is what the loop saw of one edit.
type switched struct {
	took time.Duration // from the save to the first answer with the new code
	gap  time.Duration // from the answer before that one to it
}

// loop calls the endpoint until finished, pausing for every after each
// answer, and counts every transport error and non-200 answer as a
// failure. It watches the answers for the marker of the edit awaited.
type loop struct {
	url     string
	every   time.Duration
	ok      atomic.Int64
	failed  atomic.Int64
	stop    chan struct{}
	stopped chan struct{}

	mu     sync.Mutex
	want   string        // marker awaited, "" for none
	saved  time.Time     // when the awaited edit was saved
	seen   chan switched // receives once the marker is answered
	lastOK time.Time     // the latest successful answer
}

func startLoop(url string, every time.Duration) *loop {
	l := &loop{url: url, every: every, stop: make(chan struct{}), stopped: make(chan struct{})}
	go l.run()
	return l
}

// edit saves src to file and waits until an answer carries want.
func (l *loop) edit(file, src, want string) (switched, error) {
	seen := make(chan switched, 1)
	l.mu.Lock()
	l.want, l.seen = want, seen
	l.mu.Unlock()
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		return switched{}, err
	}
	l.mu.Lock()
	l.saved = time.Now()
	l.mu.Unlock()
	select {
	case s := <-seen:
		return s, nil
	case <-time.After(3 * time.Minute):
		return switched{}, fmt.Errorf("the new code (%s) did not answer within 3 minutes", want)
	}
}

// finish stops the loop and returns its counts.
func (l *loop) finish() (ok, failed int64) {
	close(l.stop)
	<-l.stopped
	return l.ok.Load(), l.failed.Load()
}

func (l *loop) run() {
	defer close(l.stopped)
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		select {
		case <-l.stop:
			return
		default:
		}
		body, err := get(client, l.url)
		if err != nil {
			l.failed.Add(1)
			fmt.Println("request failed:", err)
			continue
		}
		l.ok.Add(1)
		l.answered(body, time.Now())
		time.Sleep(l.every)
	}
}

// answered records a successful answer at t and reports the awaited
// edit when body carries its marker.
func (l *loop) answered(body string, t time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.want != "" && !l.saved.IsZero() && strings.Contains(body, l.want) {
		s := switched{took: t.Sub(l.saved)}
		if !l.lastOK.IsZero() {
			s.gap = t.Sub(l.lastOK)
		}
		l.seen <- s
		l.want, l.saved = "", time.Time{}
	}
	l.lastOK = t
}

func get(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("%d %s", resp.StatusCode, body)
	}
	return string(body), nil
}
