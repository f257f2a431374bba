package analyze

import (
	"go/token"

	"gati.dev/gati/timescape"
	"slices"
	"strconv"
	"strings"
	"time"
)

// routeOptions are the key=value options of a route directive.
type routeOptions struct {
	status  int
	name    string
	use     []string
	until   string // a version id: an older implementation
	timeout string // Go durations: the route's request, body-read and
	read    string // response-write timeouts
	write   string
}

// routeOptions parses the options, reporting each bad one at its
// position.
func (a *analysis) routeOptions(d *directive, words []word) (routeOptions, bool) {
	var o routeOptions
	ok := true
	seen := map[string]bool{}
	for _, w := range words {
		key, val, found := strings.Cut(w.text, "=")
		switch {
		case !found:
			a.rep.at(w.pos, "route option %q is not key=value; the options are status=201, name=createUser, use=auth,audit, until=2025-06-01, timeout=2m", w.text)
		case seen[key]:
			a.rep.at(w.pos, "route option %s= is given twice", key)
		default:
			seen[key] = true
			if a.routeOption(&o, key, val, w.pos) {
				continue
			}
		}
		ok = false
	}
	if o.until != "" && (o.timeout != "" || o.read != "" || o.write != "") {
		a.rep.at(words[0].pos, "timeouts apply to the whole route, before its version is known: set them on the current implementation, not on one with until=")
		ok = false
	}
	return o, ok
}

// routeOption applies one option, reporting a bad one.
func (a *analysis) routeOption(o *routeOptions, key, val string, pos token.Pos) bool {
	switch key {
	case "status":
		n, err := strconv.Atoi(val)
		if err != nil || n < 100 || n > 599 {
			a.rep.at(pos, "bad status %q: want an HTTP status code from 100 to 599", val)
			return false
		}
		o.status = n
	case "name":
		if !token.IsIdentifier(val) {
			a.rep.at(pos, "bad route name %q: want an identifier such as createUser", val)
			return false
		}
		o.name = val
	case "use":
		return a.useOption(o, val, pos)
	case "until":
		if err := timescape.ValidID(val); err != nil {
			a.rep.at(pos, "until=%s: %v", val, err)
			return false
		}
		o.until = val
	case "timeout", "read_timeout", "write_timeout":
		d, err := time.ParseDuration(val)
		if err != nil {
			a.rep.at(pos, "bad %s %q: want a duration such as 5s or 2m (negative turns it off)", key, val)
			return false
		}
		switch key {
		case "timeout":
			o.timeout = d.String()
		case "read_timeout":
			o.read = d.String()
		default:
			o.write = d.String()
		}
	default:
		a.rep.at(pos, "unknown route option %s=; the options are status=, name=, use=, until=, timeout=, read_timeout= and write_timeout=", key)
		return false
	}
	return true
}

// useOption checks that use= names declared middleware.
func (a *analysis) useOption(o *routeOptions, val string, pos token.Pos) bool {
	ok := true
	for _, name := range strings.Split(val, ",") {
		mw, valid := a.middleware[name]
		switch {
		case !valid && !a.declared[name]: // a bad declaration is reported there
			a.rep.at(pos, "use=%s: no middleware named %q; %s", val, name, a.knownMiddleware())
		case valid && mw.Global:
			a.rep.at(pos, "use=%s: middleware %s is global, so it already runs for every route", val, name)
		}
		if !valid || mw.Global {
			ok = false
			continue
		}
		o.use = append(o.use, name)
	}
	return ok
}

func (a *analysis) knownMiddleware() string {
	if len(a.middleware) == 0 {
		return "declare middleware with //gati:middleware on its func"
	}
	names := make([]string, 0, len(a.middleware))
	for name := range a.middleware {
		names = append(names, name)
	}
	slices.Sort(names)
	return "declared middleware: " + strings.Join(names, ", ")
}
