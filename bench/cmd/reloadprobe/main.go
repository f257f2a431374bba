// Command reloadprobe measures gati dev's hot reloads, as
// scripts/bench-reload runs it: while a steady request loop calls the app,
// it edits the handler's source several times and reports, for each save,
// how long until the new code answers, and at the end how many requests
// failed (the target is none).
//
//	reloadprobe -url http://localhost:8080/hello -file hello.go -from '"Hello, "' -reloads 5
//
// Edit i replaces -from with -to formatted with i (every %d, or %[1]d,
// is i), and waits for a response containing -want formatted the same
// way: -to, unquoted, by default.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"time"
)

type loop struct {
	url     string
	ok      atomic.Int64
	failed  atomic.Int64
	latest  atomic.Value // the last successful body
	stop    chan struct{}
	stopped chan struct{}
}

func main() {
	url := flag.String("url", "http://localhost:8080/hello", "endpoint the request loop calls")
	file := flag.String("file", "hello.go", "source file to edit")
	from := flag.String("from", `"Hello, "`, "text in the file that each edit replaces with a new marker")
	to := flag.String("to", `"Reload%d, "`, "what edit i puts in place of -from; %d (or %[1]d) is i")
	want := flag.String("want", "", "what a response carries once edit i serves; default -to, unquoted")
	reloads := flag.Int("reloads", 5, "number of edits")
	flag.Parse()
	if *want == "" {
		*want = strings.Trim(*to, `"`)
	}
	e := edit{file: *file, from: *from, to: *to, want: *want}
	if err := run(*url, e, *reloads); err != nil {
		fmt.Fprintln(os.Stderr, "reloadprobe:", err)
		os.Exit(1)
	}
}

// edit says how to change the source and how to see the change served.
type edit struct {
	file, from, to, want string
}

func run(url string, e edit, reloads int) error {
	src, err := os.ReadFile(e.file)
	if err != nil {
		return err
	}
	if !strings.Contains(string(src), e.from) {
		return fmt.Errorf("-from %s does not occur in %s", e.from, e.file)
	}
	defer os.WriteFile(e.file, src, 0o644) // leave the source as it was
	l := &loop{url: url, stop: make(chan struct{}), stopped: make(chan struct{})}
	l.latest.Store("")
	go l.run()
	var took []time.Duration
	for i := 1; i <= reloads; i++ {
		time.Sleep(500 * time.Millisecond)
		d, err := l.edit(e.file, strings.Replace(string(src), e.from, fmt.Sprintf(e.to, i), 1), fmt.Sprintf(e.want, i))
		if err != nil {
			return err
		}
		took = append(took, d)
		fmt.Printf("reload %d: new code answered %v after the save\n", i, d.Round(time.Millisecond))
	}
	close(l.stop)
	<-l.stopped
	slices.Sort(took)
	fmt.Printf("reloads: %d, median %v, max %v; requests: %d ok, %d failed\n",
		len(took), took[len(took)/2].Round(time.Millisecond), took[len(took)-1].Round(time.Millisecond), l.ok.Load(), l.failed.Load())
	if l.failed.Load() > 0 {
		return errors.New("requests failed during reloads")
	}
	return nil
}

// edit saves src to file and waits until the loop sees want in a
// response.
func (l *loop) edit(file, src, want string) (time.Duration, error) {
	if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
		return 0, err
	}
	saved := time.Now()
	for !strings.Contains(l.latest.Load().(string), want) {
		if time.Since(saved) > 3*time.Minute {
			return 0, fmt.Errorf("the new code (%s) did not answer within 3 minutes", want)
		}
		time.Sleep(time.Millisecond)
	}
	return time.Since(saved), nil
}

// run calls the endpoint every millisecond until stopped, counting every
// transport error and non-200 answer as a failure.
func (l *loop) run() {
	defer close(l.stopped)
	client := &http.Client{Timeout: 10 * time.Second}
	for {
		select {
		case <-l.stop:
			return
		default:
		}
		resp, err := client.Get(l.url)
		if err != nil {
			l.failed.Add(1)
			fmt.Println("request failed:", err)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			l.failed.Add(1)
			fmt.Printf("request failed: %d %s\n", resp.StatusCode, body)
			continue
		}
		l.ok.Add(1)
		l.latest.Store(string(body))
		time.Sleep(time.Millisecond)
	}
}
