module example.com/hello-world

go 1.26.0

require gati.dev/gati v0.0.0

require go.yaml.in/yaml/v3 v3.0.6 // indirect

replace gati.dev/gati => ../..
