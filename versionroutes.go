package gati

import (
	"net/http"
	"time"

	"gati.dev/gati/timescape"
)

// Paths of the version listing, served when versioning is on.
const (
	PathVersions = "/versions"
	PathVersion  = "/versions/{id}"
)

// VersionInfo describes one API version in GET /versions.
type VersionInfo struct {
	ID         string       `json:"id"`
	Date       time.Time    `json:"date"`
	Semver     string       `json:"semver"`
	Tags       []string     `json:"tags,omitempty"`
	Status     string       `json:"status"` // active, deprecated or sunset
	Deprecated *time.Time   `json:"deprecated,omitempty"`
	Sunset     *time.Time   `json:"sunset,omitempty"`
	Changes    []ChangeInfo `json:"changes,omitempty"`
}

// ChangeInfo is one change a version made, in GET /versions/{id}.
type ChangeInfo struct {
	Route       string `json:"route"`
	Description string `json:"description"`
}

// VersionList is the body of GET /versions.
type VersionList struct {
	Head     string        `json:"head"`
	Default  string        `json:"default"`
	Versions []VersionInfo `json:"versions"`
}

func (a *App) registerVersionRoutes() {
	builtin := []RouteOption{routeOption(func(r *route) { r.builtin, r.loc = true, "gati (built-in)" })}
	a.handle("GET "+PathVersions, HandlerFunc(a.serveVersions), "", builtin)
	a.handle("GET "+PathVersion, HandlerFunc(a.serveVersion), "", builtin)
}

func (a *App) serveVersions(_ *Request, res *Response, _ *Global, _ *Local) error {
	v := a.versions
	list := VersionList{Head: v.set.Head().ID, Default: v.list[v.def].ID}
	for i := len(v.list) - 1; i >= 0; i-- { // newest first
		info := v.info(i)
		info.Changes = nil
		list.Versions = append(list.Versions, info)
	}
	return res.JSON(http.StatusOK, list)
}

func (a *App) serveVersion(req *Request, res *Response, _ *Global, _ *Local) error {
	i, ok := a.versions.index[req.Param("id")]
	if !ok {
		return NewError(http.StatusNotFound, "version_not_found", "no API version has id "+req.Param("id")+"; GET /versions lists them")
	}
	return res.JSON(http.StatusOK, a.versions.info(i))
}

// info describes version i, its status as of now, and its changes.
func (v *versioning) info(i int) VersionInfo {
	ver := v.list[i]
	info := VersionInfo{ID: ver.ID, Date: ver.Date, Semver: ver.Semver, Tags: ver.Tags, Status: v.status(ver).String()}
	if !ver.Deprecated.IsZero() {
		info.Deprecated = &ver.Deprecated
	}
	if !ver.Sunset.IsZero() {
		info.Sunset = &ver.Sunset
	}
	for _, c := range v.changes {
		if c.Version == ver.ID {
			info.Changes = append(info.Changes, ChangeInfo{Route: c.Route, Description: c.Description})
		}
	}
	return info
}

// status is the version's life-cycle status at this moment.
func (v *versioning) status(ver timescape.Version) timescape.Status {
	now := v.now()
	switch {
	case !ver.Sunset.IsZero() && !now.Before(ver.Sunset):
		return timescape.StatusSunset
	case ver.Status == timescape.StatusDeprecated || (!ver.Deprecated.IsZero() && !now.Before(ver.Deprecated)):
		return timescape.StatusDeprecated
	}
	return ver.Status
}
