package gati

import (
	"math"
	"testing"
)

func TestParseProcStat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		data string
		want procStat
		ok   bool
	}{
		{"plain", "4242 (gati) S 1 4242 4242 0 -1 4194560 1 0 0 0 150 50 0 0 20 0 9 0 12345 1000000 250 18446744073709551615",
			procStat{utime: 150, stime: 50, starttime: 12345, vsize: 1e6, rss: 250}, true},
		{"command with spaces and parentheses", "7 (my (odd) app) R 1 7 7 0 -1 0 0 0 0 0 3 4 0 0 20 0 1 0 99 2048 8 0",
			procStat{utime: 3, stime: 4, starttime: 99, vsize: 2048, rss: 8}, true},
		{"truncated", "7 (x) R 1 2 3", procStat{}, false},
		{"garbage", "no parenthesis", procStat{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseProcStat([]byte(tt.data))
			if got != tt.want || ok != tt.ok {
				t.Errorf("parseProcStat = %+v, %v; want %+v, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	data := "Limit                     Soft Limit           Hard Limit           Units     \n" +
		"Max address space         unlimited            unlimited            bytes     \n" +
		"Max open files            1024                 524288               files     \n"
	files, space, ok := parseLimits(data)
	if !ok || files != 1024 || space != math.MaxUint64 {
		t.Errorf("parseLimits = %v, %v, %v; want 1024, MaxUint64, true", files, space, ok)
	}
	if _, _, ok := parseLimits("Max open files 10 10 files\n"); ok {
		t.Error("parseLimits without Max address space reports ok")
	}
}

func TestParseNetstat(t *testing.T) {
	t.Parallel()
	data := "TcpExt: SyncookiesSent SyncookiesRecv\nTcpExt: 0 0\n" +
		"IpExt: InNoRoutes InOctets OutOctets\nIpExt: 0 1500 700\n"
	in, out, ok := parseNetstat(data)
	if !ok || in != 1500 || out != 700 {
		t.Errorf("parseNetstat = %v, %v, %v; want 1500, 700, true", in, out, ok)
	}
	if _, _, ok := parseNetstat("TcpExt: A\nTcpExt: 1\n"); ok {
		t.Error("parseNetstat without IpExt reports ok")
	}
}
