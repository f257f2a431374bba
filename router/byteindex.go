package router

import "math/bits"

// linearMax is the number of static children up to which a node is scanned
// linearly instead of through its byteIndex.
const linearMax = 8

// byteIndex maps a byte to the position of the first sorted label that
// starts with it: a 256-bit set of the first bytes present plus, for each
// present byte in order, its first position. A lookup is a rank query.
type byteIndex struct {
	set    [4]uint64
	starts []uint16
}

// build indexes first, the sorted first bytes of a node's labels.
func (x *byteIndex) build(first []byte) {
	*x = byteIndex{}
	if len(first) <= linearMax || len(first) > 1<<16 {
		return // unindexed: start reports 0 and the node is scanned
	}
	for i, c := range first {
		if x.set[c>>6]&(1<<(c&63)) == 0 {
			x.set[c>>6] |= 1 << (c & 63)
			x.starts = append(x.starts, uint16(i))
		}
	}
}

// start returns the first position of a label starting with c, or -1.
func (x *byteIndex) start(c byte) int {
	if x.starts == nil {
		return 0
	}
	w, bit := c>>6, uint64(1)<<(c&63)
	if x.set[w]&bit == 0 {
		return -1
	}
	rank := bits.OnesCount64(x.set[w] & (bit - 1))
	for _, v := range x.set[:w] {
		rank += bits.OnesCount64(v)
	}
	return int(x.starts[rank])
}
