package gati

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
)

// newLogger builds the app logger: readable text in development, JSON
// elsewhere, unless gati.yaml chooses.
func newLogger(w io.Writer, cfg *Config) (*slog.Logger, error) {
	var level slog.Level
	if cfg.Log.Level != "" {
		if err := level.UnmarshalText([]byte(cfg.Log.Level)); err != nil {
			return nil, fmt.Errorf("gati: log.level %q: use debug, info, warn or error", cfg.Log.Level)
		}
	}
	opts := &slog.HandlerOptions{Level: level}
	format := strings.ToLower(cfg.Log.Format)
	if format == "" {
		format = "json"
		if cfg.Dev() {
			format = "text"
		}
	}
	switch format {
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("gati: log.format %q: use text or json", cfg.Log.Format)
}
