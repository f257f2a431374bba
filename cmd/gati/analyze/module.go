package analyze

import (
	"go/types"

	"gati.dev/gati/manifest"
)

// modules finds the named types of the app that implement gati.Module.
func (a *analysis) modules() []manifest.Module {
	if a.api == nil || a.api.module == nil {
		return nil
	}
	var mods []manifest.Module
	for _, p := range a.pkgs {
		if p.Types == nil {
			continue
		}
		scope := p.Types.Scope()
		for _, name := range scope.Names() { // sorted
			if mod, ok := a.moduleOf(scope.Lookup(name)); ok {
				mods = append(mods, mod)
			}
		}
	}
	return mods
}

func (a *analysis) moduleOf(obj types.Object) (manifest.Module, bool) {
	tn, ok := obj.(*types.TypeName)
	if !ok || tn.IsAlias() {
		return manifest.Module{}, false
	}
	named, ok := tn.Type().(*types.Named)
	if !ok || named.TypeParams().Len() > 0 || types.IsInterface(named) {
		return manifest.Module{}, false
	}
	ptr := types.NewPointer(named)
	mod := manifest.Module{Package: obj.Pkg().Path(), Type: obj.Name(), Implements: []string{}}
	switch {
	case types.Implements(named, a.api.module):
	case types.Implements(ptr, a.api.module):
		mod.Pointer = true
	default:
		return manifest.Module{}, false
	}
	for _, name := range optionalModuleIfaces {
		if iface := a.api.optional[name]; iface != nil && types.Implements(ptr, iface) {
			mod.Implements = append(mod.Implements, name)
		}
	}
	pos := a.rep.fset.Position(obj.Pos())
	mod.File, mod.Line = a.rep.rel(pos.Filename), pos.Line
	return mod, true
}
