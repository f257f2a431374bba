package cli

import (
	"context"
	"crypto/sha256"
	"os"
	"path/filepath"

	"gati.dev/gati/cmd/gati/analyze"
	"gati.dev/gati/manifest"
)

// devPrep analyzes the app and regenerates its manifest and gati_gen.go
// for gati dev, remembering, in memory, what the last successful analysis
// read and wrote: when a reload's sources have the same fingerprint (an
// edit inside a handler's body) and both files are as it left them, the
// analysis would write them again unchanged, and unchanged skips it.
// When only lines moved (a body edit that adds a line), prepare moves
// the positions of the last manifest instead of analyzing again. See
// docs/design/dev-analysis-cache.md for why the cache lives in the
// process rather than on disk. Prepare and unchanged run on the dev
// server's reload goroutine only.
type devPrep struct {
	dir string

	last     *manifest.Manifest   // of the last successful analysis, nil if none
	fp       *analyze.Fingerprint // of the sources it read
	gen, man [sha256.Size]byte    // gati_gen.go and the manifest as it left them
}

// unchanged reports whether the last successful analysis is still
// current: running it again would leave every file as it is.
func (p *devPrep) unchanged() bool {
	return p.last != nil && p.sameSince(p.fp) &&
		sumFile(filepath.Join(p.dir, analyze.GenFile)) == p.gen &&
		sumFile(manifest.Path(p.dir)) == p.man
}

// prepare analyzes the app, or moves the last analysis's positions when
// only they changed, and writes its manifest and gati_gen.go (each only
// when its content changed, atomically).
func (p *devPrep) prepare(ctx context.Context) error {
	last := p.last
	p.last = nil
	fp, err := analyze.TakeFingerprint(p.dir)
	if err != nil {
		return err
	}
	var m *manifest.Manifest
	moved := false
	if last != nil {
		m, moved = analyze.Reposition(last, p.fp, fp)
	}
	if !moved {
		if m, err = analyze.Load(ctx, p.dir); err != nil {
			return err
		}
	}
	if err := writeGenerated(p.dir, m); err != nil {
		return err
	}
	if !moved && !p.sameSince(fp) {
		return nil // a file changed during Load: m may not be fp's; keep no cache
	}
	p.last, p.fp = m, fp
	p.gen, p.man = sumFile(filepath.Join(p.dir, analyze.GenFile)), sumFile(manifest.Path(p.dir))
	return nil
}

// sameSince reports whether the app's sources still have fingerprint fp.
func (p *devPrep) sameSince(fp *analyze.Fingerprint) bool {
	now, err := analyze.TakeFingerprint(p.dir)
	return err == nil && now.Equal(fp)
}

func sumFile(path string) [sha256.Size]byte {
	data, err := os.ReadFile(path)
	if err != nil {
		return [sha256.Size]byte{} // missing: never the sum of a file
	}
	return sha256.Sum256(data)
}
