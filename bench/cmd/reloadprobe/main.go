// Command reloadprobe measures gati dev's hot reloads, as
// scripts/bench-reload runs it: while a steady request loop calls the app,
// it edits the handler's source several times and reports, for each save,
// how long until the new code answers, and at the end how many requests
// failed (the target is none).
//
//	reloadprobe -url http://localhost:8080/hello -file hello.go -from '"Hello, "' -reloads 5
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
	reloads := flag.Int("reloads", 5, "number of edits")
	flag.Parse()
	if err := run(*url, *file, *from, *reloads); err != nil {
		fmt.Fprintln(os.Stderr, "reloadprobe:", err)
		os.Exit(1)
	}
}

func run(url, file, from string, reloads int) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if !strings.Contains(string(src), from) {
		return fmt.Errorf("-from %s does not occur in %s", from, file)
	}
	defer os.WriteFile(file, src, 0o644) // leave the source as it was
	l := &loop{url: url, stop: make(chan struct{}), stopped: make(chan struct{})}
	l.latest.Store("")
	go l.run()
	var took []time.Duration
	for i := 1; i <= reloads; i++ {
		time.Sleep(500 * time.Millisecond)
		d, err := l.edit(file, string(src), from, fmt.Sprintf(`"Reload%d, "`, i))
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

// edit saves the file with marker in place of from and waits until the
// loop sees the marker in a response.
func (l *loop) edit(file, src, from, marker string) (time.Duration, error) {
	if err := os.WriteFile(file, []byte(strings.Replace(src, from, marker, 1)), 0o644); err != nil {
		return 0, err
	}
	saved := time.Now()
	want := strings.Trim(marker, `"`)
	for !strings.Contains(l.latest.Load().(string), want) {
		if time.Since(saved) > 30*time.Second {
			return 0, fmt.Errorf("the new code (%s) did not answer within 30s", marker)
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
