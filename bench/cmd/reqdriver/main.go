// Command reqdriver sends a fixed number of keep-alive requests to a
// server, as scripts/bench-instructions runs it: it warms the server up,
// runs the -mark command (which zeroes the profiler's counters), sends
// exactly -n requests spread over -conns connections, checks every
// response, and runs the -done command (which dumps the counters). The
// counters then cover exactly -n requests, so instructions per request
// are their total divided by -n.
//
//	reqdriver -addr 127.0.0.1:8080 -path '/hello?name=Ada' -n 20000 -conns 8 \
//	    -mark 'callgrind_control -z 1234' -done 'callgrind_control -d 1234'
//
// Each request is the bytes wrk sends (a request line and Host), so the
// figures match the load of scripts/bench-http.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "server address")
	path := flag.String("path", "/hello?name=Ada", "request target")
	want := flag.String("want", `"message":"Hello, Ada!"`, "text every response body must contain")
	n := flag.Int("n", 20000, "requests between -mark and -done")
	warmup := flag.Int("warmup", 2000, "requests before -mark")
	conns := flag.Int("conns", 8, "keep-alive connections")
	mark := flag.String("mark", "", "shell command run after the warm-up")
	done := flag.String("done", "", "shell command run after the -n requests")
	flag.Parse()

	request := []byte(fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", *path, *addr))
	clients := make([]*client, *conns)
	for i := range clients {
		c, err := dial(*addr, request, *want)
		if err != nil {
			fail(err)
		}
		defer c.conn.Close()
		clients[i] = c
	}
	if err := spread(clients, *warmup); err != nil {
		fail(fmt.Errorf("warm-up: %w", err))
	}
	run(*mark)
	if err := spread(clients, *n); err != nil {
		fail(err)
	}
	run(*done)
	fmt.Printf("%d requests on %d connections\n", *n, *conns)
}

type client struct {
	conn    net.Conn
	r       *bufio.Reader
	request []byte
	want    string
}

func dial(addr string, request []byte, want string) (*client, error) {
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &client{conn: conn, r: bufio.NewReader(conn), request: request, want: want}, nil
}

// do sends one request and reads its whole response.
func (c *client) do() error {
	if _, err := c.conn.Write(c.request); err != nil {
		return err
	}
	res, err := http.ReadResponse(c.r, nil)
	if err != nil {
		return err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK || !contains(body, c.want) {
		return fmt.Errorf("unexpected response %d %q", res.StatusCode, body)
	}
	if res.Close {
		return fmt.Errorf("the server closed the keep-alive connection")
	}
	return nil
}

// spread sends total requests, shared out over the clients, each client
// one request at a time.
func spread(clients []*client, total int) error {
	var wg sync.WaitGroup
	errs := make([]error, len(clients))
	for i, c := range clients {
		count := total / len(clients)
		if i < total%len(clients) {
			count++
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range count {
				if err := c.do(); err != nil {
					errs[i] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func contains(body []byte, want string) bool {
	return want == "" || strings.Contains(string(body), want)
}

func run(command string) {
	if command == "" {
		return
	}
	cmd := exec.Command("sh", "-c", command)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		fail(fmt.Errorf("%s: %w", command, err))
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "reqdriver:", err)
	os.Exit(1)
}
