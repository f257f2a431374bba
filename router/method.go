package router

import "strings"

// Method slots. Every trie node has one slot per standard method plus slot
// mAny for routes registered with the empty method. Extension methods live in
// a short per-node slice.
const (
	mAny = iota
	mGet
	mHead
	mPost
	mPut
	mPatch
	mDelete
	mOptions
	mConnect
	mTrace
	nSlots
	mExt = -1
)

var slotNames = [nSlots]string{"", "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"}

// methodIndex returns the slot of a method, or mExt for extension methods.
func methodIndex(m string) int {
	switch m {
	case "GET":
		return mGet
	case "POST":
		return mPost
	case "HEAD":
		return mHead
	case "PUT":
		return mPut
	case "PATCH":
		return mPatch
	case "DELETE":
		return mDelete
	case "OPTIONS":
		return mOptions
	case "CONNECT":
		return mConnect
	case "TRACE":
		return mTrace
	case "":
		return mAny
	}
	return mExt
}

// badMethodByte returns the offset of the first byte of m that is not an
// RFC 9110 token character, or -1 if m is a valid (possibly empty) token.
func badMethodByte(m string) int {
	for i := 0; i < len(m); i++ {
		if !isTokenByte(m[i]) {
			return i
		}
	}
	return -1
}

func isTokenByte(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return c != 0 && strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0
}
