# bench-servers.bash: the hello servers that scripts/bench-http and
# scripts/bench-instructions measure, built and started the same way for
# both. Source it after setting $script (the caller's name, for errors).
#
# Every server runs in $work/run with examples/hello-world's gati.yaml;
# HOST and GATI_HOST keep them all on loopback, GATI_ENV is production
# unless set. Each answers GET /hello?name=Ada with {"message":"Hello, Ada!"}.

die() { echo "$script: $*" >&2; exit 1; }

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
work=$(mktemp -d)
pids=()
cleanup() {
	local pid
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

command -v go >/dev/null || die "go is not installed"

url_path='/hello?name=Ada'
mkdir -p "$work/bin" "$work/run"

build() { # name dir pkg
	echo "building $1 ($2/$3)" >&2
	(cd "$2" && GOWORK=off go build -o "$work/bin/$1" "$3") >&2 || die "building $1 failed"
}

# build_servers [peers [glue [only]]]: builds gati (examples/hello-world)
# and the net/http baseline, gin, echo and chi when peers is 1, and
# gin-glue, echo-glue and chi-glue (each with the recovery, request timeout
# and metrics Gati has on by default) when glue is 1; with only, a
# comma-separated list of names, just gati and the servers it lists. Sets
# names.
build_servers() {
	local only=${3:-} p
	names=(gati)
	gati_src="examples/hello-world (its gati.yaml, GATI_HOST=127.0.0.1)"
	build gati "$root/examples/hello-world" .
	cp "$root/examples/hello-world/gati.yaml" "$work/run/gati.yaml"
	wanted() { [[ -z $only || ,$only, == *,$1,* ]]; }
	if wanted nethttp; then
		build nethttp "$root/bench" ./cmd/nethttp-hello
		names+=(nethttp)
	fi
	if ((${1:-0})); then
		for p in gin echo chi; do
			wanted "$p" || continue
			build "$p" "$root/bench" "./cmd/$p-hello"
			names+=("$p")
		done
	fi
	if ((${2:-0})); then
		for p in gin-glue echo-glue chi-glue; do
			wanted "$p" || continue
			build "$p" "$root/bench" "./cmd/$p"
			names+=("$p")
		done
	fi
}

port_free() { ! (exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1"); }

probe() { # port: true when GET /hello?name=Ada answers Hello, Ada!
	local reply
	reply=$(exec 2>/dev/null 3<>"/dev/tcp/127.0.0.1/$1" &&
		printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$url_path" >&3 &&
		timeout 5 cat <&3) || return 1
	[[ $reply == *'"message":"Hello, Ada!"'* ]]
}

# start name [wait_seconds]: starts $work/bin/name on a free port, behind
# the command in the launcher array (taskset, valgrind; may be empty), and
# waits until it answers. Sets port[name] and pid[name].
declare -A port pid
launcher=()
start() {
	local name=$1 wait=${2:-10} attempt p child i
	for attempt in 1 2 3 4 5; do
		p=$((20000 + RANDOM % 40000))
		port_free "$p" || continue
		(cd "$work/run" && HOST=127.0.0.1 GATI_HOST=127.0.0.1 PORT=$p GATI_ENV=${GATI_ENV:-production} \
			exec "${launcher[@]}" "$work/bin/$name") >"$work/$name.log" 2>&1 &
		child=$!
		pids+=("$child")
		for ((i = 0; i < wait * 10; i++)); do
			if probe "$p"; then
				port[$name]=$p pid[$name]=$child
				return 0
			fi
			kill -0 "$child" 2>/dev/null || break
			sleep 0.1
		done
		kill "$child" 2>/dev/null || true
	done
	cat "$work/$name.log" >&2
	die "$name did not start answering GET $url_path"
}

# stop name: stops a server started with start.
stop() {
	kill "${pid[$1]}" 2>/dev/null && wait "${pid[$1]}" 2>/dev/null || true
}

median() {
	printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
		if (NR % 2) print a[(NR + 1) / 2]; else printf "%.2f\n", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# order_for round: prints names rotated by round-1 places, so that over
# as many rounds as there are servers each runs in every position once,
# and each pair of servers is sometimes adjacent and sometimes apart:
# drift within a round does not always fall on the same pairs.
order_for() {
	local i n=${#names[@]}
	for ((i = 0; i < n; i++)); do printf '%s\n' "${names[(i + $1 - 1) % n]}"; done
}
