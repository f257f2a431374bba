package gati

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"
)

// Start prepares the app to serve without listening: it reports every
// registration and configuration mistake, initializes modules in
// dependency order, runs startup hooks and compiles the routes. After
// Start the App is an http.Handler ready for a server or httptest.
func (a *App) Start(ctx context.Context) error {
	if a.started.Load() {
		return errors.New("gati: app already started")
	}
	a.registerBuiltins()
	a.registerPlayground()
	if a.versions != nil {
		a.registerVersionRoutes()
		a.fail(a.versions.prepare(a))
	} else if len(a.older) > 0 {
		a.fail(fmt.Errorf("%s: route %q is registered with gati.Until, which needs versions: call app.Versions", a.older[0].loc, a.older[0].pattern))
	}
	if err := a.Err(); err != nil {
		return fmt.Errorf("gati: the app cannot start:\n%w", err)
	}
	if err := a.modules.order(); err != nil {
		return err
	}
	if err := a.modules.initAll(ctx, a.global); err != nil {
		return err
	}
	startup, _, _ := a.global.hooks()
	for _, fn := range startup {
		if err := callBounded(ctx, 0, fn); err != nil {
			_ = a.modules.shutdownAll(context.WithoutCancel(ctx), a.global.logger)
			return fmt.Errorf("gati: startup hook failed: %w", err)
		}
	}
	a.compile()
	a.started.Store(true)
	return nil
}

// Stop runs shutdown hooks in reverse order, then shuts modules down in
// reverse initialization order. It is safe to call more than once.
func (a *App) Stop(ctx context.Context) error {
	a.stopOnce.Do(func() {
		a.beginStopping()
		var errs []error
		_, shutdown, _ := a.global.hooks()
		for i := len(shutdown) - 1; i >= 0; i-- {
			if err := callBounded(ctx, 0, shutdown[i]); err != nil {
				a.global.logger.Error("shutdown hook failed", slog.Any("error", err))
				errs = append(errs, err)
			}
		}
		errs = append(errs, a.modules.shutdownAll(ctx, a.global.logger))
		a.stopErr = errors.Join(errs...)
	})
	return a.stopErr
}

// Serve serves on ln at once, starts the app, and serves until ctx is
// done, then shuts down gracefully. While modules initialize, the health
// endpoints say the app is starting and every other route answers 503
// not_started, so probes and early clients get an answer rather than a
// refused connection. On shutdown readiness turns false, the app keeps
// serving for the drain delay with every response closing its
// connection, the listener closes, idle connections close, in-flight
// requests finish (bounded by the shutdown timeout), and hooks and
// modules stop in reverse order.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	began := time.Now()
	srv := a.HTTPServer()
	srv.ConnState = a.conns.track
	served := make(chan error, 1)
	go func() { served <- srv.Serve(framingListener{ln}) }()
	if err := a.Start(ctx); err != nil {
		_ = srv.Close()
		<-served
		return err
	}
	a.global.logger.Info("listening", slog.String("addr", "http://"+ln.Addr().String()),
		slog.String("env", a.global.cfg.env), slog.String("version", buildVersion),
		slog.String("config", a.global.cfg.source()), slog.Duration("startup", time.Since(began)))
	select {
	case err := <-served:
		_ = a.Stop(context.Background())
		return fmt.Errorf("gati: server stopped: %w", err)
	case <-ctx.Done():
	}
	return a.shutdown(srv, ln, served)
}

// HTTPServer returns an http.Server that serves the app with the timeouts
// of gati.yaml's server section, for code that runs its own listener or
// test server; Serve and Run use one. The write deadline it sets on each
// connection covers the default request timeout plus write_timeout;
// routes with other timeouts, request bodies (read_timeout) and streams
// adjust their connection's deadlines themselves.
func (a *App) HTTPServer() *http.Server {
	s := a.global.cfg.Server
	write := s.WriteTimeout
	if write > 0 && s.RequestTimeout > 0 {
		write += s.RequestTimeout
	}
	return &http.Server{Handler: a, ReadHeaderTimeout: max(s.ReadHeaderTimeout, 0), IdleTimeout: max(s.IdleTimeout, 0),
		WriteTimeout: max(write, 0), ErrorLog: slog.NewLogLogger(a.global.logger.Handler(), slog.LevelWarn),
		ConnContext: withFraming}
}

func (a *App) shutdown(srv *http.Server, ln net.Listener, served <-chan error) error {
	s := a.global.cfg.Server
	began := time.Now()
	a.beginStopping()
	log := a.global.logger
	log.Info("shutting down", slog.Duration("drain_delay", s.DrainDelay), slog.Duration("timeout", s.ShutdownTimeout))
	time.Sleep(s.DrainDelay)
	ctx, cancel := context.WithTimeout(context.Background(), s.ShutdownTimeout)
	defer cancel()
	// net/http drops, unanswered, a request it reads once Shutdown has
	// begun. So the listener closes first, and the connections it already
	// accepted get their requests answered (with Connection: close) before
	// Shutdown closes what is left idle.
	_ = ln.Close()
	if err := <-served; err != nil && !errors.Is(err, net.ErrClosed) {
		log.Warn("serving ended with an error", slog.Any("error", err))
	}
	a.conns.waitAnswered(ctx, connGrace)
	err := srv.Shutdown(ctx)
	if err != nil {
		log.Warn("in-flight requests outlived the shutdown timeout; closing connections", slog.Any("error", err))
		_ = srv.Close()
	}
	stopCtx, cancelStop := context.WithTimeout(context.Background(), s.ShutdownTimeout)
	defer cancelStop()
	err = errors.Join(err, a.Stop(stopCtx))
	log.Info("stopped", slog.Duration("drain", time.Since(began)))
	return err
}

// Run listens on the configured port ($PORT, else server.port, else 8080)
// and serves until SIGINT or SIGTERM, then shuts down gracefully.
// A second signal during shutdown ends the process at once.
func (a *App) Run() error {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	context.AfterFunc(ctx, stop) // restore the default action for the second signal
	s := a.global.cfg.Server
	addr := net.JoinHostPort(s.Host, strconv.Itoa(s.Port))
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("gati: listening on %s: %w (is another server using the port? set PORT to choose another)", addr, err)
	}
	return a.Serve(ctx, ln)
}

// Main runs the app and exits the process with status 1, after printing
// the error, when it fails to start or stops with an error.
//
// When the first argument (flags aside) names a command a module adds
// (see Command), Main runs that command instead and exits.
func (a *App) Main() {
	if ran, err := a.runCommandFromArgs(); ran {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if err := a.Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
