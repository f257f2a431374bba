package gati

import (
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/timescape"
)

// VersionChange describes what one API version changed on one route, and
// how to translate between that version and the one before it, so that
// only the newest handler code is maintained while clients pinned to
// older versions keep getting the shapes they were built against.
type VersionChange struct {
	// Version is the id of the version that introduced the change.
	Version string
	// Route is the route's pattern as registered: "POST /users".
	Route string
	// Description says what changed; GET /versions/{id} lists it.
	Description string
	// UpgradeRequest rewrites a JSON request body written for the version
	// before Version into Version's shape. Nil leaves requests alone.
	UpgradeRequest func(body map[string]any) error
	// DowngradeResponse rewrites a JSON response body of Version into the
	// shape of the version before it. Nil leaves responses alone.
	DowngradeResponse func(body map[string]any) error

	// UpgradeRequestValue and DowngradeResponseValue translate a body
	// that may be any JSON value (an array, a string, a number) and return
	// its replacement; when set they are used instead of the map forms.
	// Numbers arrive as json.Number, so large integers keep their digits.
	UpgradeRequestValue    func(body any) (any, error)
	DowngradeResponseValue func(body any) (any, error)

	// Type, set instead of Route, makes this a change to a Go type rather
	// than to one route: its translations run on every occurrence of the
	// type (a JSON object, for a struct) in the request and response
	// bodies of every typed route, nested in other types, in lists and
	// in maps alike. It is Cadwyn's schema migration: a User that gained a
	// field is translated once, wherever a User is sent.
	Type reflect.Type
}

// Versions turns on API versioning. Each request names the version it
// was written for in the X-API-Version header (or the api-version query
// parameter): a date, an RFC 3339 time, a semver or a tag, resolved by
// set. The request is upgraded through changes to the newest version, the
// handler runs, and its JSON response is downgraded back; the response
// carries X-API-Version with the resolved id, and Deprecation, Sunset and
// Link headers when that version is deprecated. After its sunset a
// version answers 410 Gone. GET /versions lists the versions.
func (a *App) Versions(set *timescape.Set, changes ...VersionChange) {
	if a.started.Load() {
		panic("gati: Versions called after the app started")
	}
	a.versions = &versioning{set: set, changes: changes, loc: callerLoc(1), now: time.Now}
}

// versioning is the pipeline's version stage.
type versioning struct {
	set     *timescape.Set
	changes []VersionChange
	loc     string
	now     func() time.Time

	list    []timescape.Version // oldest first
	index   map[string]int      // id → position in list
	def     int                 // the version of requests that name none
	headers []versionHeaders    // per version, shared by every response
}

// versionHeaders are the header values a version's responses carry,
// built once: header slices are replaced, never modified, so sharing them
// costs no allocation per request.
type versionHeaders struct {
	id          []string
	deprecation []string // RFC 9745: "@<unix seconds>"
	sunset      []string // RFC 8594: an HTTP-date
	link        []string
}

// prepare checks the changes against the versions and the routes, and
// builds the per-version headers.
func (v *versioning) prepare(a *App) error {
	v.list = v.set.Versions()
	v.index = make(map[string]int, len(v.list))
	for i, ver := range v.list {
		v.index[ver.ID] = i
		v.headers = append(v.headers, newVersionHeaders(ver))
	}
	v.def = v.index[v.set.Default().ID]
	var errs []string
	if value := a.global.cfg.Versions.Default; value != "" {
		ver, err := v.set.Resolve(value)
		if err != nil {
			errs = append(errs, fmt.Sprintf("versions.default (or $GATI_API_VERSION_DEFAULT): %v", err))
		} else {
			v.def = v.index[ver.ID]
		}
	}
	for _, c := range v.changes {
		if err := v.checkChange(a, c); err != nil {
			errs = append(errs, v.loc+": "+err.Error())
		}
	}
	for _, o := range a.older {
		if err := v.attach(a, o); err != nil {
			errs = append(errs, o.loc+": "+err.Error())
		}
	}
	if errs != nil {
		return errors.New(strings.Join(errs, "\n"))
	}
	return nil
}

// routeWideOption names an option an older implementation was given that
// only the route as a whole can honour, or returns "". Status and With
// are its own: they apply to the versions it serves.
func routeWideOption(o *route) string {
	switch {
	case len(o.httpMW) > 0:
		return "WithHTTP"
	case o.timeout != 0:
		return "Timeout"
	case o.bodyLimit != 0:
		return "BodyLimit"
	case o.readTimeout != 0:
		return "ReadTimeout"
	case o.writeTimeout != 0:
		return "WriteTimeout"
	}
	return ""
}

// attach adds an implementation registered with Until to the route with
// its pattern, keeping the route's older implementations oldest first.
func (v *versioning) attach(a *App, o *route) error {
	d, ok := v.index[o.until]
	switch {
	case !ok:
		return fmt.Errorf("route %q: gati.Until(%q) names a version the version set does not have", o.pattern, o.until)
	case d == 0:
		return fmt.Errorf("route %q: gati.Until(%q) names the first version: no version comes before it", o.pattern, o.until)
	}
	base := a.routeWithPattern(o.method, o.path)
	if base == nil {
		return fmt.Errorf("route %q: gati.Until(%q) has no current implementation to sit beside; register one without Until", o.pattern, o.until)
	}
	if opt := routeWideOption(o); opt != "" {
		return fmt.Errorf("route %q: gati.Until(%q) with %s: that option applies to the whole route, before its version is known; set it on the current implementation (%s)", o.pattern, o.until, opt, base.loc)
	}
	for _, e := range base.older {
		if e.until == o.until {
			return fmt.Errorf("route %q: two implementations until %s (the other at %s)", o.pattern, o.until, e.loc)
		}
	}
	base.older = append(base.older, o)
	slices.SortFunc(base.older, func(x, y *route) int { return v.index[x.until] - v.index[y.until] })
	return nil
}

func (v *versioning) checkChange(a *App, c VersionChange) error {
	what := strconv.Quote(c.Route)
	if c.Type != nil {
		what = "type " + c.Type.String()
	}
	i, ok := v.index[c.Version]
	switch {
	case !ok:
		return fmt.Errorf("version change for %s names version %q, which the version set does not have", what, c.Version)
	case i == 0:
		return fmt.Errorf("version change for %s names the first version %q: there is no earlier version to translate to", what, c.Version)
	case c.Type != nil && c.Route != "":
		return fmt.Errorf("version change for %s also names route %q: set Type or Route, not both", what, c.Route)
	case c.Type != nil:
		return v.checkTypeChange(a, c, what)
	}
	if method, path, err := splitPattern(c.Route); err == nil && a.routeWithPattern(method, path) != nil {
		return nil
	}
	return fmt.Errorf("version change for %q (version %s): no route is registered with that pattern", c.Route, c.Version)
}

// checkTypeChange requires a type change's type to occur in some typed
// route's body: a change that translates nothing is a mistake.
func (v *versioning) checkTypeChange(a *App, c VersionChange, what string) error {
	for _, e := range a.table.Routes() {
		in, out := bodyTypes(e.Value.handler)
		if in != nil && typeOccurs(in, c.Type) || out != nil && typeOccurs(out, c.Type) {
			return nil
		}
	}
	return fmt.Errorf("version change for %s (version %s): no typed route sends or receives that type", what, c.Version)
}

func newVersionHeaders(ver timescape.Version) versionHeaders {
	h := versionHeaders{id: []string{ver.ID}}
	link := "</versions/" + ver.ID + ">; rel=\"deprecation\"; type=\"application/json\""
	if !ver.Deprecated.IsZero() || ver.Status == timescape.StatusDeprecated {
		h.deprecation = []string{"@" + strconv.FormatInt(ver.Deprecated.Unix(), 10)}
		h.link = []string{link}
	}
	if !ver.Sunset.IsZero() {
		h.sunset = []string{ver.Sunset.UTC().Format(http.TimeFormat)}
		h.link = []string{link + ", </versions/" + ver.ID + ">; rel=\"sunset\""}
	}
	return h
}

// routeChains holds, for one route and each version a client may pin,
// the implementation that serves it and the transformers to apply between
// the pinned version and the one that implementation speaks: upgrades
// oldest first, downgrades newest first.
type routeChains struct {
	serve []HandlerFunc
	up    [][]transform
	down  [][]transform
}

// chainsFor plans rt for every pinned version: the newest implementation
// is next; an older one registered with Until(id) serves versions before
// id and speaks the version just before id.
func (v *versioning) chainsFor(rt *route, next HandlerFunc) routeChains {
	n := len(v.list)
	rc := routeChains{serve: make([]HandlerFunc, n), up: make([][]transform, n), down: make([][]transform, n)}
	for pinned := range v.list {
		end, serve, impl := n, next, rt.handler // versions the implementation speaks up to, exclusive
		for _, o := range rt.older {
			if d := v.index[o.until]; pinned < d {
				end, serve, impl = d, olderServe(o), o.handler
				break
			}
		}
		rc.serve[pinned] = serve
		for i := pinned + 1; i < end; i++ {
			rc.up[pinned] = append(rc.up[pinned], v.transformsFor(rt, impl, i, true)...)
		}
		for i := end - 1; i > pinned; i-- {
			rc.down[pinned] = append(rc.down[pinned], v.transformsFor(rt, impl, i, false)...)
		}
	}
	return rc
}

// olderServe serves an older implementation with its own middleware
// (inside the route's) and its own success status, when it sets one.
func olderServe(o *route) HandlerFunc {
	handler := o.handler.ServeGati
	if o.status != 0 {
		inner := handler
		handler = func(req *Request, res *Response, gctx *Global, lctx *Local) error {
			lctx.status = o.status
			return inner(req, res, gctx, lctx)
		}
	}
	return chain(handler, o.mw)
}

// stage wraps a route's implementations in version resolution and
// translation.
func (v *versioning) stage(rt *route, next HandlerFunc) HandlerFunc {
	chains := v.chainsFor(rt, next)
	return func(req *Request, res *Response, gctx *Global, lctx *Local) error {
		k, err := v.resolve(req)
		if err != nil {
			return err
		}
		lctx.version = v.list[k].ID
		if err := v.announce(k, res.Header(), req.Path()); err != nil {
			return err
		}
		if ups := chains.up[k]; len(ups) > 0 {
			if err := upgradeRequest(req, ups); err != nil {
				return err
			}
		}
		res.down = chains.down[k]
		return chains.serve[k](req, res, gctx, lctx)
	}
}

// resolve finds the version the request asks for.
func (v *versioning) resolve(req *Request) (int, error) {
	value := headerValue(req.r.Header, "X-Api-Version")
	if value == "" && strings.Contains(req.r.URL.RawQuery, "api-version=") {
		value = req.Query("api-version")
	}
	if value == "" {
		return v.def, nil
	}
	ver, err := v.set.Resolve(value)
	if err != nil {
		return 0, &Error{Status: http.StatusBadRequest, Code: "invalid_api_version", Detail: err.Error(), Err: err}
	}
	return v.index[ver.ID], nil
}

// announce sets the version headers of the response, and refuses a
// version past its sunset.
func (v *versioning) announce(k int, h http.Header, path string) error {
	vh := &v.headers[k]
	h["X-Api-Version"] = vh.id
	if vh.deprecation != nil {
		h["Deprecation"] = vh.deprecation
	}
	if vh.sunset != nil {
		h["Sunset"] = vh.sunset
	}
	if vh.link != nil {
		h["Link"] = vh.link
	}
	if sunset := v.list[k].Sunset; !sunset.IsZero() && !v.now().Before(sunset) {
		head, next := v.list[len(v.list)-1].ID, v.list[min(k+1, len(v.list)-1)].ID
		return &Error{Status: http.StatusGone, Code: "version_sunset", Detail: fmt.Sprintf(
			"API version %s was retired on %s; migrate to %s: GET /versions/%s and the versions after it list what changed",
			v.list[k].ID, sunset.UTC().Format(time.DateOnly), head, next)}
	}
	return nil
}

// upgradeRequest rewrites the request's JSON object body through ups.
func upgradeRequest(req *Request, ups []transform) error {
	if req.r.ContentLength == 0 && req.r.Body == http.NoBody {
		return nil
	}
	body, err := req.Body()
	if err != nil || len(body) == 0 {
		return err
	}
	if err := decodeJSON(body, new(any)); err != nil {
		return err // a client's malformed body is a 400 naming the position
	}
	req.body, err = translate(body, ups, "upgrading the request body")
	return err
}
