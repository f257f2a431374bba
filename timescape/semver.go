package timescape

import "fmt"

// semver is a parsed MAJOR.MINOR.PATCH version.
type semver struct{ major, minor, patch int64 }

func (a semver) compare(b semver) int {
	switch {
	case a.major != b.major:
		return cmpInt(a.major, b.major)
	case a.minor != b.minor:
		return cmpInt(a.minor, b.minor)
	}
	return cmpInt(a.patch, b.patch)
}

func (a semver) String() string {
	return fmt.Sprintf("%d.%d.%d", a.major, a.minor, a.patch)
}

func cmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// maxSemverDigits bounds each number so that adding one never overflows.
const maxSemverDigits = 18

// parseSemver parses "2", "2.1" or "2.1.3" (no "v") and reports how many
// numbers it held. Numbers have no leading zeros, as in Semantic
// Versioning. On failure, reason says why and the allocation happens only
// then.
func parseSemver(s string) (v semver, n int, reason string) {
	var parts [3]int64
	for i := 0; ; i++ {
		end := 0
		for end < len(s) && isDigit(s[end]) {
			end++
		}
		switch {
		case end == 0 && len(s) == 0:
			return semver{}, 0, "a number is missing"
		case end == 0:
			return semver{}, 0, fmt.Sprintf("unexpected %q", s[0])
		case end > 1 && s[0] == '0':
			return semver{}, 0, fmt.Sprintf("%s has a leading zero", s[:end])
		case end > maxSemverDigits:
			return semver{}, 0, fmt.Sprintf("%s is too large", s[:end])
		}
		parts[i] = atoi(s[:end])
		s = s[end:]
		if len(s) == 0 {
			return semver{parts[0], parts[1], parts[2]}, i + 1, ""
		}
		if i == 2 {
			return semver{}, 0, fmt.Sprintf("unexpected %q after MAJOR.MINOR.PATCH", s)
		}
		if s[0] != '.' {
			return semver{}, 0, fmt.Sprintf("unexpected %q", s[0])
		}
		s = s[1:]
	}
}

// prefixEnd returns the smallest semver greater than every semver that
// matches the n-number prefix v.
func prefixEnd(v semver, n int) semver {
	switch n {
	case 1:
		return semver{v.major + 1, 0, 0}
	case 2:
		return semver{v.major, v.minor + 1, 0}
	}
	return semver{v.major, v.minor, v.patch + 1}
}

// matches reports whether v starts with the n-number prefix p.
func (v semver) matches(p semver, n int) bool {
	return v.major == p.major && (n < 2 || v.minor == p.minor) && (n < 3 || v.patch == p.patch)
}

// prefixString formats the n-number prefix p.
func prefixString(p semver, n int) string {
	switch n {
	case 1:
		return itoa(p.major)
	case 2:
		return itoa(p.major) + "." + itoa(p.minor)
	}
	return p.String()
}
