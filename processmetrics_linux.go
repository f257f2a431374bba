package gati

import (
	"bufio"
	"bytes"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
)

// processCollector serves the process_* metrics of client_golang's
// process collector, read from /proc.
type processCollector struct {
	cpu, rss, vsize, fds, maxFDs, start *desc
	all                                 []*desc
}

// userHZ is the unit of /proc/self/stat's times (USER_HZ); Linux fixes
// it at 100 on every architecture Go supports, as procfs assumes.
const userHZ = 100

func newProcessCollector() collector {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return nil // a sandbox without /proc: leave the metrics out
	}
	c := &processCollector{
		cpu:    &desc{name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", kind: kindCounter},
		rss:    &desc{name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", kind: kindGauge},
		vsize:  &desc{name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", kind: kindGauge},
		fds:    &desc{name: "process_open_fds", help: "Number of open file descriptors.", kind: kindGauge},
		maxFDs: &desc{name: "process_max_fds", help: "Maximum number of open file descriptors.", kind: kindGauge},
		start:  &desc{name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", kind: kindGauge},
	}
	c.all = []*desc{c.cpu, c.rss, c.vsize, c.fds, c.maxFDs, c.start}
	return c
}

func (c *processCollector) descs() []*desc { return c.all }

// collect leaves out what it cannot read rather than failing the scrape.
func (c *processCollector) collect(e *exposition) {
	if st, ok := readProcStat(); ok {
		c.gauge(e, c.cpu, (st.utime+st.stime)/userHZ)
		c.gauge(e, c.rss, st.rss*float64(os.Getpagesize()))
		c.gauge(e, c.vsize, st.vsize)
		if boot, ok := bootTimeOnce(); ok {
			c.gauge(e, c.start, boot+st.starttime/userHZ)
		}
	}
	if f, err := os.Open("/proc/self/fd"); err == nil {
		names, err := f.Readdirnames(-1)
		f.Close()
		if err == nil {
			c.gauge(e, c.fds, float64(len(names)-1)) // less the descriptor reading the directory
		}
	}
	if n, ok := maxOpenFiles(); ok {
		c.gauge(e, c.maxFDs, n)
	}
}

func (c *processCollector) gauge(e *exposition, d *desc, v float64) {
	e.header(d)
	e.sample(d.name, "", "", "", v)
}

type procStat struct{ utime, stime, starttime, vsize, rss float64 }

// readProcStat parses /proc/self/stat (proc(5)): the fields after the
// command name, which is in parentheses and may hold spaces.
func readProcStat() (procStat, bool) {
	data, err := os.ReadFile("/proc/self/stat")
	if err != nil {
		return procStat{}, false
	}
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return procStat{}, false
	}
	f := strings.Fields(string(data[i+1:]))
	// f[0] is field 3 (state): field n is f[n-3].
	if len(f) < 22 {
		return procStat{}, false
	}
	num := func(n int) float64 { v, _ := strconv.ParseFloat(f[n-3], 64); return v }
	return procStat{utime: num(14), stime: num(15), starttime: num(22), vsize: num(23), rss: num(24)}, true
}

// bootTimeOnce reads the boot time once: it does not change.
var bootTimeOnce = sync.OnceValues(bootTime)

// bootTime is btime of /proc/stat: the boot time in seconds since the epoch.
func bootTime() (float64, bool) {
	f, err := os.Open("/proc/stat")
	if err != nil {
		return 0, false
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), "btime "); ok {
			n, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			return n, err == nil
		}
	}
	return 0, false
}

// maxOpenFiles is the soft limit of "Max open files" in /proc/self/limits.
func maxOpenFiles() (float64, bool) {
	data, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		return 0, false
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, "Max open files"); ok {
			f := strings.Fields(v)
			if len(f) == 0 {
				return 0, false
			}
			if f[0] == "unlimited" {
				return math.Inf(1), true
			}
			n, err := strconv.ParseFloat(f[0], 64)
			return n, err == nil
		}
	}
	return 0, false
}
