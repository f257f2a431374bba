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
	cpu, rss, vsize, maxVsize, fds, maxFDs, start, netIn, netOut *desc
	all                                                          []*desc
}

// userHZ is the unit of /proc/self/stat's times (USER_HZ); Linux fixes
// it at 100 on every architecture Go supports, as procfs assumes.
const userHZ = 100

func newProcessCollector() collector {
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		return nil // a sandbox without /proc: leave the metrics out
	}
	c := &processCollector{
		cpu:      &desc{name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", kind: kindCounter},
		rss:      &desc{name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", kind: kindGauge},
		vsize:    &desc{name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", kind: kindGauge},
		maxVsize: &desc{name: "process_virtual_memory_max_bytes", help: "Maximum amount of virtual memory available in bytes.", kind: kindGauge},
		fds:      &desc{name: "process_open_fds", help: "Number of open file descriptors.", kind: kindGauge},
		maxFDs:   &desc{name: "process_max_fds", help: "Maximum number of open file descriptors.", kind: kindGauge},
		start:    &desc{name: "process_start_time_seconds", help: "Start time of the process since unix epoch in seconds.", kind: kindGauge},
		netIn:    &desc{name: "process_network_receive_bytes_total", help: "Number of bytes received by the process over the network.", kind: kindCounter},
		netOut:   &desc{name: "process_network_transmit_bytes_total", help: "Number of bytes sent by the process over the network.", kind: kindCounter},
	}
	c.all = []*desc{c.cpu, c.rss, c.vsize, c.maxVsize, c.fds, c.maxFDs, c.start, c.netIn, c.netOut}
	return c
}

func (c *processCollector) descs() []*desc { return c.all }

// collect leaves out what it cannot read rather than failing the scrape.
func (c *processCollector) collect(e *exposition) {
	if st, ok := readProcStat(); ok {
		c.single(e, c.cpu, (st.utime+st.stime)/userHZ)
		c.single(e, c.rss, st.rss*float64(os.Getpagesize()))
		c.single(e, c.vsize, st.vsize)
		if boot, ok := bootTimeOnce(); ok {
			c.single(e, c.start, boot+st.starttime/userHZ)
		}
	}
	if f, err := os.Open("/proc/self/fd"); err == nil {
		names, err := f.Readdirnames(-1)
		f.Close()
		if err == nil {
			c.single(e, c.fds, float64(len(names)-1)) // less the descriptor reading the directory
		}
	}
	if files, space, ok := readLimits(); ok {
		c.single(e, c.maxFDs, files)
		c.single(e, c.maxVsize, space)
	}
	if in, out, ok := readNetstat(); ok {
		c.single(e, c.netIn, in)
		c.single(e, c.netOut, out)
	}
}

// single writes a family of one unlabelled sample.
func (c *processCollector) single(e *exposition, d *desc, v float64) {
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
	return parseProcStat(data)
}

func parseProcStat(data []byte) (procStat, bool) {
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

// readLimits returns the soft limits "Max open files" and "Max address
// space" of /proc/self/limits; unlimited is the largest uint64, as
// client_golang reports it.
func readLimits() (files, space float64, ok bool) {
	data, err := os.ReadFile("/proc/self/limits")
	if err != nil {
		return 0, 0, false
	}
	return parseLimits(string(data))
}

func parseLimits(data string) (files, space float64, ok bool) {
	var found int
	for line := range strings.Lines(data) {
		if v, ok := strings.CutPrefix(line, "Max open files"); ok {
			files, found = limitValue(v), found+1
		} else if v, ok := strings.CutPrefix(line, "Max address space"); ok {
			space, found = limitValue(v), found+1
		}
	}
	return files, space, found == 2
}

func limitValue(fields string) float64 {
	f := strings.Fields(fields)
	if len(f) == 0 || f[0] == "unlimited" {
		return math.MaxUint64
	}
	n, _ := strconv.ParseFloat(f[0], 64)
	return n
}

// readNetstat returns InOctets and OutOctets of the IpExt lines of
// /proc/self/net/netstat: the process's network namespace's totals, what
// client_golang reports as the process's.
func readNetstat() (in, out float64, ok bool) {
	data, err := os.ReadFile("/proc/self/net/netstat")
	if err != nil {
		return 0, 0, false
	}
	return parseNetstat(string(data))
}

func parseNetstat(data string) (in, out float64, ok bool) {
	var names []string
	for line := range strings.Lines(data) {
		rest, isIP := strings.CutPrefix(line, "IpExt:")
		if !isIP {
			continue
		}
		if names == nil { // the first IpExt line names the fields, the second has the values
			names = strings.Fields(rest)
			continue
		}
		for i, v := range strings.Fields(rest) {
			if i >= len(names) {
				break
			}
			switch n, _ := strconv.ParseFloat(v, 64); names[i] {
			case "InOctets":
				in = n
			case "OutOctets":
				out = n
			}
		}
		return in, out, true
	}
	return 0, 0, false
}
