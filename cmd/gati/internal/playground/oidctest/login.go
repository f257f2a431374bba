package oidctest

import (
	"context"
	"html/template"
	"net/http"
)

const (
	loginPath    = "/login"
	loginIDParam = "authRequestID"
)

var loginForm = template.Must(template.New("login").Parse(`<!doctype html>
<title>Sign in</title>
<form method="post" action="/login">
<input type="hidden" name="authRequestID" value="{{.ID}}">
<label>Username <input name="username" id="username" autocomplete="username"></label>
<label>Password <input name="password" id="password" type="password" autocomplete="current-password"></label>
{{with .Error}}<p role="alert">{{.}}</p>{{end}}
<button type="submit" id="submit">Sign in</button>
</form>
`))

// loginHandler serves the login form the authorization endpoint redirects
// to, and on a correct username and password sends the browser back to the
// provider's callback, which redirects to the client with the code.
func loginHandler(s *storage, callback func(ctx context.Context, id string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.FormValue(loginIDParam)
		switch r.Method {
		case http.MethodGet:
			renderLogin(w, http.StatusOK, id, "")
		case http.MethodPost:
			if err := s.login(id, r.PostFormValue("username"), r.PostFormValue("password")); err != nil {
				renderLogin(w, http.StatusUnauthorized, id, err.Error())
				return
			}
			http.Redirect(w, r, callback(r.Context(), id), http.StatusFound)
		default:
			w.Header().Set("Allow", "GET, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		}
	}
}

func renderLogin(w http.ResponseWriter, status int, id, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = loginForm.Execute(w, struct{ ID, Error string }{id, msg})
}
