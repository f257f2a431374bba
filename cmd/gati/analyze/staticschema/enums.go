package staticschema

import "go/types"

// onEnum reports the enum type t to Config.OnEnum.
func (b *builder) onEnum(t types.Type) {
	if b.cfg.OnEnum == nil {
		return
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return
	}
	b.cfg.OnEnum(n.Obj(), b.enumConsts(t))
}
