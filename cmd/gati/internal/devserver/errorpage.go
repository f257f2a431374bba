package devserver

import (
	"bytes"
	"encoding/json"
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"gati.dev/gati"
)

// wantsHTML reports a browser asking for a page.
func wantsHTML(r *http.Request) bool {
	return strings.Contains(r.Header.Get("Accept"), "text/html")
}

// writeProblem writes an RFC 9457 problem, as the app itself would.
func writeProblem(w http.ResponseWriter, status int, code, detail string) {
	p := gati.Problem{Type: gati.ProblemTypeBase + code, Title: http.StatusText(status),
		Status: status, Code: code, Detail: detail}
	body, _ := json.Marshal(p)
	w.Header().Set("Content-Type", gati.ProblemContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// errorPage shows the error and reloads itself once the dev server's
// state is ok again.
var errorPage = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}} — gati dev</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;background:#fff;color:#1a1a1a}
header{background:#b3261e;color:#fff;padding:16px 24px}
h1{font-size:18px;margin:0}
main{padding:16px 24px}
pre{background:#f5f5f5;border-left:4px solid #b3261e;padding:12px 16px;overflow:auto;font:13px/1.45 ui-monospace,monospace;white-space:pre-wrap}
p{color:#555}
</style></head>
<body><header><h1>{{.Title}}</h1></header>
<main><pre>{{.Error}}</pre><p>{{with .Hint}}{{.}} {{end}}This page reloads when the app is fixed.</p></main>
<script>
setInterval(async () => {
  try {
    const s = await (await fetch({{.StatusPath}}, {cache: "no-store"})).json();
    if (s.state === "ok") location.reload();
  } catch (e) {}
}, 1000);
</script></body></html>
`))

func writeErrorPage(w http.ResponseWriter, status int, title, hint, msg string) {
	var buf bytes.Buffer
	_ = errorPage.Execute(&buf, map[string]string{"Title": title, "Hint": hint, "Error": msg, "StatusPath": StatusPath})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}
