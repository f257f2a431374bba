module example.com/tasks

go 1.26.0

require (
	gati.dev/gati v0.0.0
	github.com/coder/websocket v1.8.15
	github.com/go-jose/go-jose/v4 v4.1.9
)

require go.yaml.in/yaml/v3 v3.0.6 // indirect

replace gati.dev/gati => ../..
