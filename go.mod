module gati.dev/gati

go 1.26.0

require (
	github.com/coder/websocket v1.8.15
	go.yaml.in/yaml/v3 v3.0.6
)

require go.uber.org/goleak v1.3.0
