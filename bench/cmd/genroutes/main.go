// Command genroutes writes a synthetic Gati app's routes, for
// scripts/bench-reload: n typed routes with distinct In and Out struct
// types, in one package, spread over files of 100 routes
// (routes_000.go, routes_001.go, …). Route i serves GET /r<i>/{id} with
// handler Route<i>, whose body answers "r<i>: " + id: an edit of that
// literal is a body-only change.
//
//	genroutes -dir ./demo -n 1000
package main

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
)

const perFile = 100

func main() {
	dir := flag.String("dir", ".", "the app's directory (its main package)")
	n := flag.Int("n", 1000, "number of routes")
	flag.Parse()
	if err := write(*dir, *n); err != nil {
		fmt.Fprintln(os.Stderr, "genroutes:", err)
		os.Exit(1)
	}
}

func write(dir string, n int) error {
	for f := 0; f*perFile < n; f++ {
		var b bytes.Buffer
		b.WriteString("package main\n\nimport \"gati.dev/gati\"\n")
		for i := f * perFile; i < min(n, (f+1)*perFile); i++ {
			route(&b, i)
		}
		name := filepath.Join(dir, fmt.Sprintf("routes_%03d.go", f))
		if err := os.WriteFile(name, b.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

func route(b *bytes.Buffer, i int) {
	fmt.Fprintf(b, `
type In%04[1]d struct {
	ID    string `+"`path:\"id\"`"+`
	Limit int    `+"`query:\"limit\"`"+`
}

type Out%04[1]d struct {
	Msg   string `+"`json:\"msg\"`"+`
	Limit int    `+"`json:\"limit\"`"+`
}

//gati:route GET /r%04[1]d/{id}
func Route%04[1]d(g *gati.Global, l *gati.Local, in In%04[1]d) (Out%04[1]d, error) {
	return Out%04[1]d{Msg: "r%04[1]d: " + in.ID, Limit: in.Limit}, nil
}
`, i)
}
