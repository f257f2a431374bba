package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

func TestPragmas(t *testing.T) {
	for dsn, want := range map[string]int{"fx.db": 1, "fx.db?synchronous=full": 2, "fx.db?synchronous=NORMAL": 1} {
		path := filepath.Join(t.TempDir(), dsn)
		b, err := Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		var sync, timeout int
		var mode string
		if err := b.w.QueryRow(`SELECT * FROM pragma_synchronous, pragma_journal_mode, pragma_busy_timeout`).Scan(&sync, &mode, &timeout); err != nil {
			t.Fatal(err)
		}
		if sync != want || mode != "wal" || timeout != 10000 {
			t.Errorf("%s: synchronous %d journal_mode %s busy_timeout %d, want %d wal 10000", dsn, sync, mode, timeout, want)
		}
		if b.Path() != filepath.Join(filepath.Dir(path), "fx.db") {
			t.Errorf("%s: Path() = %s", dsn, b.Path())
		}
	}
}
