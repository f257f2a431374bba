package openapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"gati.dev/gati/cmd/gati/internal/api"
	"gati.dev/gati/schema"
	"gati.dev/gati/timescape"
)

// The headers and parameters of versioning and tracing, also the names of
// their components.
const (
	versionHeader     = timescape.Header // request parameter and response header
	versionParameter  = timescape.Header
	requestIDHeader   = "X-Request-Id"
	deprecationHeader = "Deprecation"
	sunsetHeader      = "Sunset"
	linkHeader        = "Link"
)

// versioned reports whether the app has recorded versions: then a request
// may name one in X-API-Version, and every response names the one that
// answered it.
func versioned(a *api.API) bool { return len(a.Versions) > 0 }

// versionParameters is the X-API-Version request header, when the app has
// versions. Its default is the document's version: what a client
// generated from this document sends, which pins it to these shapes.
func versionParameters(a *api.API) map[string]*parameter {
	if !versioned(a) {
		return nil
	}
	s := &schema.Schema{Type: schema.Types{"string"}}
	for _, v := range a.Versions {
		s.Enum = append(s.Enum, v.ID)
	}
	d := "The API version the request is written for, one of the recorded versions; without it the server answers in its default version."
	if a.Version != "" {
		s.Default = a.Version
		d += " This document describes version " + a.Version + ": send it to get these shapes."
	}
	return map[string]*parameter{versionParameter: {Name: versionHeader, In: "header", Description: d, Schema: s}}
}

// responseHeaders are the headers success responses carry, by name:
// X-Request-Id when the caller sent one (problems always carry it);
// X-API-Version in a versioned app, and Deprecation, Sunset and Link when
// one of its versions is deprecated or has a sunset. They are required
// when the document's own version makes the server send them every time.
func responseHeaders(a *api.API) map[string]*header {
	str := &schema.Schema{Type: schema.Types{"string"}}
	hs := map[string]*header{
		requestIDHeader: {Schema: str,
			Description: "The request's id, as in the server's logs: the echo of the request's X-Request-Id when it sent a usable one (1-128 letters, digits and -_.:), else a new one. " +
				"Always present on errors, whose problem documents carry it as request_id; on successes only as the echo, unless the server sets request_id_header: always."},
	}
	if !versioned(a) {
		return hs
	}
	hs[versionHeader] = &header{Required: true, Schema: str, Description: "The API version that answered the request."}
	var deprecated, sunset bool
	for _, v := range a.Versions {
		deprecated = deprecated || v.Deprecated != nil
		sunset = sunset || v.Sunset != nil
	}
	if deprecated || sunset {
		hs[linkHeader] = &header{Required: a.Deprecated != nil || a.Sunset != nil, Schema: str,
			Description: "With Deprecation or Sunset: links to GET /versions/{id}, which says what changed, with rel=\"deprecation\" and rel=\"sunset\"."}
	}
	if deprecated {
		h := &header{Description: "When the version that answered is deprecated (RFC 9745): @ and the Unix time it was deprecated.", Schema: str}
		if d := a.Deprecated; d != nil {
			value := "@" + strconv.FormatInt(d.Unix(), 10)
			h = &header{Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}, Examples: []any{value}},
				Description: fmt.Sprintf("Version %s is deprecated since %s, so every response says so (RFC 9745): %s.", a.Version, rfc3339(d), value)}
		}
		hs[deprecationHeader] = h
	}
	if sunset {
		h := &header{Description: "When the version that answered has a sunset (RFC 8594): the HTTP date from which requests naming it get 410 Gone.", Schema: str}
		if s := a.Sunset; s != nil {
			value := s.UTC().Format(http.TimeFormat)
			h = &header{Required: true, Schema: &schema.Schema{Type: schema.Types{"string"}, Examples: []any{value}},
				Description: fmt.Sprintf("Version %s is retired on %s (RFC 8594): %s; from then on, requests naming it get 410 Gone.", a.Version, rfc3339(s), value)}
		}
		hs[sunsetHeader] = h
	}
	return hs
}

// successHeaders refers to every response header of a success.
func (b *builder) successHeaders() map[string]*header {
	out := map[string]*header{}
	for _, name := range []string{requestIDHeader, versionHeader, deprecationHeader, sunsetHeader, linkHeader} {
		if b.shared.Headers[name] != nil {
			out[name] = &header{Ref: b.ref("headers", name)}
		}
	}
	return out
}

// description introduces the document: whose API it is, and which
// version, with its life cycle.
func description(a *api.API) string {
	var b strings.Builder
	if a.Head {
		fmt.Fprintf(&b, "The HTTP API of %s (%s), as its current code serves it.", a.Title, a.Module)
	} else {
		fmt.Fprintf(&b, "The HTTP API of %s (%s) at version %s, as recorded in .gati/versions.", a.Title, a.Module, a.Version)
	}
	if a.Version != "" {
		fmt.Fprintf(&b, "\n\nAPI version %s (%s): requests name the version they are written for in the %s header, "+
			"and the server translates them to and from its current code. The recorded versions: %s.",
			a.Version, a.Semver, versionHeader, versionList(a.Versions))
	}
	if d := a.Deprecated; d != nil {
		fmt.Fprintf(&b, "\n\nVersion %s is deprecated since %s.", a.Version, rfc3339(d))
	}
	if s := a.Sunset; s != nil {
		fmt.Fprintf(&b, "\n\nVersion %s is retired on %s: from then on, requests naming it get 410 Gone.", a.Version, rfc3339(s))
	}
	return b.String()
}

// versionList lists versions with their life cycle:
// "2025-01-01 (deprecated, sunset 2030-01-01), 2025-06-01".
func versionList(vs []api.Version) string {
	var items []string
	for _, v := range vs {
		var notes []string
		if v.Deprecated != nil {
			notes = append(notes, "deprecated")
		}
		if v.Sunset != nil {
			notes = append(notes, "sunset "+v.Sunset.UTC().Format(time.DateOnly))
		}
		item := v.ID
		if len(notes) > 0 {
			item += " (" + strings.Join(notes, ", ") + ")"
		}
		items = append(items, item)
	}
	return strings.Join(items, ", ")
}

func rfc3339(t *time.Time) string { return t.UTC().Format(time.RFC3339) }
