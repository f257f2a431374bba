package timescape

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The oracle below resolves values by a linear scan over the versions,
// parsing with the standard library and regular expressions. It shares no
// code with the package.

type oracleVersion struct {
	id     string
	date   time.Time // UTC
	semver [3]int64
	tags   []string
}

var (
	reDate     = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	reDateTime = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-](\d{2}):(\d{2}))$`)
	reID       = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})\.([1-9]\d{0,5})$`)
	reSemver   = regexp.MustCompile(`^[vV]?(0|[1-9]\d{0,17})(?:\.(0|[1-9]\d{0,17}))?(?:\.(0|[1-9]\d{0,17}))?$`)
	reTag      = regexp.MustCompile(`^[a-z0-9._-]+$`)
)

// oracle returns the ID value resolves to, or the error it should wrap.
// vs is sorted oldest first.
func oracle(vs []oracleVersion, def int, value string) (string, error) {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return vs[def].id, nil
	case reDate.MatchString(v):
		if _, err := time.Parse(time.DateOnly, v); err != nil {
			return "", ErrInvalid
		}
		found := ""
		for _, ver := range vs {
			if ver.date.Format(time.DateOnly) <= v {
				found = ver.id
			}
		}
		if found == "" {
			return "", ErrBeforeFirst
		}
		return found, nil
	case reDateTime.MatchString(v):
		m := reDateTime.FindStringSubmatch(v)
		if m[3] != "" && (atoiT(m[3]) > 23 || atoiT(m[4]) > 59) {
			return "", ErrInvalid
		}
		t, err := time.Parse(time.RFC3339Nano, strings.ToUpper(v))
		if err != nil {
			return "", ErrInvalid
		}
		found := ""
		for _, ver := range vs {
			if !ver.date.After(t) {
				found = ver.id
			}
		}
		if found == "" {
			return "", ErrBeforeFirst
		}
		return found, nil
	case reID.MatchString(v):
		m := reID.FindStringSubmatch(v)
		if _, err := time.Parse(time.DateOnly, m[1]); err != nil || atoiT(m[2]) < 2 {
			return "", ErrInvalid
		}
		for _, ver := range vs {
			if ver.id == v {
				return v, nil
			}
		}
		return "", ErrNoMatch
	case len(v) > 4 && v[0] >= '0' && v[0] <= '9' && v[4] == '-':
		return "", ErrInvalid
	case reSemver.MatchString(v):
		m := reSemver.FindStringSubmatch(v)
		found := ""
		for _, ver := range vs {
			ok := true
			for i := 1; i <= 3; i++ {
				if m[i] != "" && atoiT(m[i]) != ver.semver[i-1] {
					ok = false
				}
			}
			if ok {
				found = ver.id
			}
		}
		if found == "" {
			return "", ErrNoMatch
		}
		return found, nil
	case v[0] >= '0' && v[0] <= '9', len(v) > 1 && (v[0] == 'v' || v[0] == 'V') && v[1] >= '0' && v[1] <= '9':
		return "", ErrInvalid
	}
	lower := asciiLower(v)
	if !reTag.MatchString(lower) {
		return "", ErrInvalid
	}
	if lower == "latest" {
		return vs[len(vs)-1].id, nil
	}
	for _, ver := range vs {
		if slices.Contains(ver.tags, lower) {
			return ver.id, nil
		}
	}
	return "", ErrUnknownTag
}

func atoiT(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		panic(err)
	}
	return n
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

var tagPool = []string{"stable", "beta", "alpha", "lts", "canary", "rc.1", "edge_2", "next-gen"}

// randomVersions returns versions in random order and the oracle's view of
// them, sorted.
func randomVersions(r *rand.Rand) ([]Version, []oracleVersion) {
	n := 1 + r.IntN(200)
	day := time.Date(2015+r.IntN(5), time.Month(1+r.IntN(12)), 1+r.IntN(28), 0, 0, 0, 0, time.UTC)
	sv := [3]int64{r.Int64N(3), r.Int64N(3), r.Int64N(3)}
	var ovs []oracleVersion
	var offsetInDay time.Duration
	suffix := 1
	for i := range n {
		if i > 0 {
			if r.IntN(5) == 0 && offsetInDay < 23*time.Hour {
				suffix++
			} else {
				day = day.AddDate(0, 0, 1+r.IntN(20))
				suffix, offsetInDay = 1, 0
			}
			switch r.IntN(10) {
			case 0:
				sv = [3]int64{sv[0] + 1, 0, 0}
			case 1, 2, 3:
				sv = [3]int64{sv[0], sv[1] + 1, 0}
			default:
				sv[2]++
			}
		}
		if r.IntN(3) > 0 { // otherwise keep the previous time (or midnight)
			offsetInDay += time.Duration(r.Int64N(int64(24*time.Hour - offsetInDay)))
		}
		id := day.Format(time.DateOnly)
		if suffix > 1 {
			id += "." + strconv.Itoa(suffix)
		}
		ovs = append(ovs, oracleVersion{id: id, date: day.Add(offsetInDay), semver: sv})
	}
	for _, tag := range tagPool {
		if r.IntN(2) == 0 {
			i := r.IntN(n)
			ovs[i].tags = append(ovs[i].tags, tag)
		}
	}
	versions := make([]Version, n)
	for i, ov := range ovs {
		v := Version{ID: ov.id, Semver: fmt.Sprintf("%d.%d.%d", ov.semver[0], ov.semver[1], ov.semver[2]), Tags: ov.tags}
		switch {
		case ov.date.Format("15:04:05.999999999") == "00:00:00" && r.IntN(2) == 0:
			// zero Date: NewSet takes midnight UTC from the ID
		default:
			zone := time.FixedZone("", (r.IntN(27)-13)*3600+r.IntN(2)*1800)
			v.Date = ov.date.In(zone)
		}
		versions[i] = v
	}
	r.Shuffle(n, func(i, j int) { versions[i], versions[j] = versions[j], versions[i] })
	return versions, ovs
}

// randomValue returns a value of a random form for the versions.
func randomValue(r *rand.Rand, ovs []oracleVersion) string {
	first, last := ovs[0].date, ovs[len(ovs)-1].date
	span := last.Sub(first) + 60*24*time.Hour
	randInstant := func() time.Time {
		if r.IntN(2) == 0 {
			d := ovs[r.IntN(len(ovs))].date
			return d.Add([]time.Duration{0, -1, 1, -time.Second, time.Second, 24 * time.Hour, -24 * time.Hour}[r.IntN(7)])
		}
		return first.Add(-30*24*time.Hour + time.Duration(r.Int64N(int64(span))))
	}
	var v string
	switch r.IntN(8) {
	case 0: // date
		v = randInstant().Format(time.DateOnly)
	case 1: // RFC 3339 time, with an offset
		zone := time.FixedZone("", (r.IntN(47)-23)*3600+r.IntN(4)*900)
		layout := []string{time.RFC3339, time.RFC3339Nano, "2006-01-02T15:04:05.000Z07:00"}[r.IntN(3)]
		v = randInstant().In(zone).Format(layout)
		if r.IntN(5) == 0 {
			v = strings.ToLower(v)
		}
	case 2: // version ID
		ov := ovs[r.IntN(len(ovs))]
		v = ov.id
		if r.IntN(2) == 0 {
			v = ov.id[:10] + "." + strconv.Itoa(r.IntN(5))
		}
	case 3, 4: // semver prefix
		sv := ovs[r.IntN(len(ovs))].semver
		if r.IntN(3) == 0 {
			sv[r.IntN(3)] += int64(r.IntN(3)) - 1
		}
		parts := []string{strconv.FormatInt(sv[0], 10), strconv.FormatInt(sv[1], 10), strconv.FormatInt(sv[2], 10)}
		v = strings.Join(parts[:1+r.IntN(3)], ".")
		if r.IntN(3) == 0 {
			v = "v" + v
		}
	case 5: // tag
		v = append(tagPool, "latest", "LATEST", "Stable", "unknown", "yesterday")[r.IntN(len(tagPool)+5)]
	default: // garbage: mutate a value of another form
		v = randomValue(r, ovs)
		b := []byte(v)
		for range 1 + r.IntN(3) {
			if len(b) == 0 {
				break
			}
			const chars = "0123456789-:.Tt Zz+vx/!"
			switch i := r.IntN(len(b)); r.IntN(3) {
			case 0:
				b[i] = chars[r.IntN(len(chars))]
			case 1:
				b = slices.Delete(b, i, i+1)
			default:
				b = slices.Insert(b, i, chars[r.IntN(len(chars))])
			}
		}
		v = string(b)
	}
	if r.IntN(10) == 0 {
		v = " " + v + "\t"
	}
	return v
}

func TestResolveMatchesOracle(t *testing.T) {
	const seed = 20250601 // fixed, so that failures reproduce
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	const sets, queries = 200, 100
	outcomes := map[string]int{}
	for range sets {
		versions, ovs := randomVersions(r)
		set, err := NewSet(versions)
		if err != nil {
			t.Fatalf("seed %d: NewSet: %v", seed, err)
		}
		if got := set.Head().ID; got != ovs[len(ovs)-1].id {
			t.Fatalf("seed %d: Head() = %s, want %s", seed, got, ovs[len(ovs)-1].id)
		}
		for range queries {
			value := randomValue(r, ovs)
			wantID, wantErr := oracle(ovs, len(ovs)-1, value)
			outcomes[fmt.Sprint(wantErr)]++
			got, err := set.Resolve(value)
			switch {
			case wantErr != nil && !errors.Is(err, wantErr):
				t.Fatalf("seed %d: Resolve(%q) = %v, %v; want error %v", seed, value, got, err, wantErr)
			case wantErr == nil && err != nil:
				t.Fatalf("seed %d: Resolve(%q) error %v; want %s", seed, value, err, wantID)
			case wantErr == nil && got.ID != wantID:
				t.Fatalf("seed %d: Resolve(%q) = %s; want %s", seed, value, got.ID, wantID)
			}
		}
	}
	t.Logf("outcomes: %v", outcomes)
}
