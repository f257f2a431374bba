// Package staticschema computes, from go/types, the JSON Schema that
// gati.dev/gati/schema computes at run time from reflect: For and Params
// here return exactly what schema.For and schema.Params return for the
// same Go type, so the gati CLI can describe an app's request and
// response types without running it.
//
// The rules are those of the schema package, mirrored type by type. The
// one difference is how enums are found: statically, a named string or
// integer type is an enum when its package declares constants of that
// type (their values, in declaration order, are the enum); at run time
// the same values come from schema.RegisterEnum, which the code the gati
// CLI generates calls for those constants.
package staticschema

import (
	"errors"
	"fmt"
	"go/constant"
	"go/token"
	"go/types"
	"reflect"
	"slices"
	"strings"

	"golang.org/x/tools/go/types/typeutil"

	"gati.dev/gati/schema"
)

// Error is a problem with one struct field: a bad tag value, or a type
// encoding/json cannot represent. Pos, Type and Field locate the field
// where the problem is, which may be in a type nested in the root's.
type Error struct {
	Pos   token.Pos // the field's declaration
	Type  string    // the struct type, qualified by package name
	Field string    // the Go field name
	Err   error     // the problem, without the field: "tag maxLength:\"x\": invalid syntax"

	msg string // as schema.For words it
}

// Error returns the message schema.For returns for the same problem.
func (e *Error) Error() string { return e.msg }

func (e *Error) Unwrap() error { return e.Err }

// Config says which named types are enums.
type Config struct {
	// Enums reports whether the constants of pkg declare enums. Only the
	// constants of packages type-checked from source are all known:
	// export data has just those that other packages use. nil means every
	// package outside the standard library, taken to be the import paths
	// without a dot in their first element (time.Month is an integer, as
	// at run time, where nothing registers its values).
	Enums func(pkg *types.Package) bool

	// OnEnum, when set, is called for each enum type a schema refers to,
	// with its constants in declaration order (see enums.go): once per
	// call of For or Params that meets the type.
	OnEnum func(t *types.TypeName, consts []*types.Const)

	// RejectInterfaces makes an interface type other than any an error.
	// Its values are encoded as whatever they hold, so its schema is {}:
	// fine for validating requests, but a generated client can only type
	// it as unknown, which gati generate reports instead.
	RejectInterfaces bool
}

var defaultConfig Config

// For returns the root schema of t, as schema.For returns it for the
// reflect type of t, with the default Config.
func For(t types.Type) (*schema.Schema, error) { return defaultConfig.For(t) }

// Params lists the parameters of the input struct t, as schema.Params
// does for the reflect type of t, with the default Config.
func Params(t types.Type) ([]schema.Param, error) { return defaultConfig.Params(t) }

// For returns the root schema of t, as schema.For returns it for the
// reflect type of t.
func (c *Config) For(t types.Type) (*schema.Schema, error) {
	if t == nil {
		return nil, errors.New("schema: For(nil)")
	}
	b := c.newBuilder()
	s, err := b.typeSchema(t)
	if err != nil {
		return nil, err
	}
	return b.root(s)
}

// builder builds one root schema.
type builder struct {
	cfg   *Config
	defs  typeutil.Map // types.Type to *def
	order []types.Type // defs in the order found
	refs  []refNode    // $ref nodes to fill in once names are known
}

type def struct{ s *schema.Schema }

type refNode struct {
	node *schema.Schema
	t    types.Type
}

func (c *Config) newBuilder() *builder { return &builder{cfg: c} }

// root names the $defs, fills in the references and attaches the $defs to s.
func (b *builder) root(s *schema.Schema) (*schema.Schema, error) {
	names, err := defNames(b.order)
	if err != nil {
		return nil, err
	}
	for _, r := range b.refs {
		r.node.Ref = "#/$defs/" + names[b.index(r.t)]
	}
	if len(b.order) > 0 {
		s.Defs = make(map[string]*schema.Schema, len(b.order))
		for i, t := range b.order {
			s.Defs[names[i]] = b.defs.At(t).(*def).s
		}
	}
	return s, nil
}

func (b *builder) index(t types.Type) int {
	return slices.IndexFunc(b.order, func(u types.Type) bool { return types.Identical(t, u) })
}

// typeSchema returns the schema of a value of type t.
func (b *builder) typeSchema(t types.Type) (*schema.Schema, error) {
	t = types.Unalias(t)
	if p, ok := t.Underlying().(*types.Pointer); ok {
		s, err := b.typeSchema(p.Elem())
		if err != nil {
			return nil, err
		}
		return nullable(s), nil
	}
	switch {
	case isTime(t):
		return &schema.Schema{Type: schema.Types{"string"}, Format: "date-time"}, nil
	case b.isEnum(t):
		return b.ref(t)
	case implements(t, marshalerType):
		return &schema.Schema{}, nil
	case implements(t, textType):
		return &schema.Schema{Type: schema.Types{"string"}}, nil
	case kind(t) == reflect.Struct && isNamed(t):
		return b.ref(t)
	}
	return b.kindSchema(t)
}

// kindSchema maps t by its kind, ignoring its methods.
func (b *builder) kindSchema(t types.Type) (*schema.Schema, error) {
	switch k := kind(t); k {
	case reflect.Bool:
		return &schema.Schema{Type: schema.Types{"boolean"}}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return &schema.Schema{Type: schema.Types{"integer"}}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		zero := 0.0
		return &schema.Schema{Type: schema.Types{"integer"}, Minimum: &zero}, nil
	case reflect.Float32, reflect.Float64:
		return &schema.Schema{Type: schema.Types{"number"}}, nil
	case reflect.String:
		return &schema.Schema{Type: schema.Types{"string"}}, nil
	case reflect.Interface:
		if b.cfg.RejectInterfaces && !t.Underlying().(*types.Interface).Empty() {
			return nil, fmt.Errorf("schema: interface type %s has no JSON shape a client can be generated for (its values encode as whatever they hold); use a concrete type, or any for any JSON value", typeString(t))
		}
		return &schema.Schema{}, nil
	case reflect.Slice:
		if isBytes(t) {
			return &schema.Schema{Type: schema.Types{"string"}, Format: "byte"}, nil
		}
		return b.arraySchema(t.Underlying().(*types.Slice).Elem())
	case reflect.Array:
		a := t.Underlying().(*types.Array)
		s, err := b.arraySchema(a.Elem())
		if err == nil {
			n := int(a.Len())
			s.MinItems, s.MaxItems = &n, &n
		}
		return s, err
	case reflect.Map:
		return b.mapSchema(t)
	case reflect.Struct:
		return b.structSchema(t)
	default:
		return nil, fmt.Errorf("schema: unsupported type %s (kind %s)", typeString(t), k)
	}
}

func (b *builder) arraySchema(elem types.Type) (*schema.Schema, error) {
	items, err := b.typeSchema(elem)
	if err != nil {
		return nil, err
	}
	return &schema.Schema{Type: schema.Types{"array"}, Items: items}, nil
}

func (b *builder) mapSchema(t types.Type) (*schema.Schema, error) {
	m := t.Underlying().(*types.Map)
	switch k := m.Key(); {
	case kind(k) == reflect.String, implements(k, textType):
	case kind(k) >= reflect.Int && kind(k) <= reflect.Uintptr:
	default:
		return nil, fmt.Errorf("schema: unsupported map key type in %s", typeString(t))
	}
	values, err := b.typeSchema(m.Elem())
	if err != nil {
		return nil, err
	}
	return &schema.Schema{Type: schema.Types{"object"}, AdditionalProperties: values}, nil
}

// ref returns a $ref to the definition of the named type t, building the
// definition the first time.
func (b *builder) ref(t types.Type) (*schema.Schema, error) {
	node := &schema.Schema{Ref: "#"} // filled in by root
	b.refs = append(b.refs, refNode{node, t})
	if b.defs.At(t) != nil {
		return node, nil
	}
	d := &def{} // in progress: recursive uses stop here
	b.defs.Set(t, d)
	b.order = append(b.order, t)
	var err error
	if b.isEnum(t) {
		b.onEnum(t)
		d.s, err = b.enumSchema(t)
	} else {
		d.s, err = b.structSchema(t)
	}
	if err != nil {
		return nil, err
	}
	return node, nil
}

// enumSchema is the $defs entry of an enum type: its kind's schema with
// the values of its constants.
func (b *builder) enumSchema(t types.Type) (*schema.Schema, error) {
	s, err := b.kindSchema(t)
	if err != nil {
		return nil, err
	}
	s.Enum = b.enumValues(t)
	return s, nil
}

// structSchema describes the JSON object encoding/json writes for t.
func (b *builder) structSchema(t types.Type) (*schema.Schema, error) {
	s := &schema.Schema{Type: schema.Types{"object"}, Properties: map[string]*schema.Schema{}}
	for _, f := range jsonFields(t) {
		if f.param {
			continue
		}
		fs, req, err := b.fieldSchema(t, f)
		if err != nil {
			return nil, err
		}
		s.Properties[f.name] = fs
		if req {
			s.Required = append(s.Required, f.name)
		}
	}
	slices.Sort(s.Required)
	return s, nil
}

// fieldSchema returns the schema of one body field and whether it is
// required.
func (b *builder) fieldSchema(t types.Type, f field) (*schema.Schema, bool, error) {
	var s *schema.Schema
	var err error
	ft := types.Unalias(f.v.Type())
	if f.quoted {
		s = &schema.Schema{Type: schema.Types{"string"}}
		if kind(ft) == reflect.Pointer {
			s = nullable(s)
		}
	} else if s, err = b.typeSchema(ft); err != nil {
		return nil, false, typeError(t, f.v, err)
	}
	required := kind(ft) != reflect.Pointer && !f.omitEmpty && !f.viaPtr
	s, err = schema.ApplyTags(s, b.valueType(ft, f.quoted), f.tag, &required)
	if err != nil {
		return nil, false, tagError(t, f.v, err)
	}
	return s, required, nil
}

// typeError adds the field to err, an error of the field's type, as
// schema.For does: "... (field users.User.Name)".
func typeError(t types.Type, v *types.Var, err error) error {
	suffix := fmt.Sprintf(" (field %s.%s)", typeString(t), v.Name())
	if e, ok := errors.AsType[*Error](err); ok {
		e2 := *e
		e2.msg += suffix
		return &e2
	}
	return &Error{Pos: v.Pos(), Type: typeString(t), Field: v.Name(), Err: err, msg: err.Error() + suffix}
}

// tagError is a problem with the field's tags.
func tagError(t types.Type, v *types.Var, err error) error {
	msg := fmt.Sprintf("schema: %s.%s: %v", typeString(t), v.Name(), err)
	return &Error{Pos: v.Pos(), Type: typeString(t), Field: v.Name(), Err: err, msg: msg}
}

// nullable makes s also accept null.
func nullable(s *schema.Schema) *schema.Schema {
	switch {
	case s.Ref != "" || len(s.AnyOf) > 0:
		return &schema.Schema{AnyOf: []*schema.Schema{s, {Type: schema.Types{"null"}}}}
	case len(s.Type) == 0, s.Type.Has("null"):
		return s
	}
	s.Type = append(s.Type, "null")
	return s
}

// valueType returns the JSON type a value of t is written as ("" for any
// value), following the same order of rules as typeSchema.
func (b *builder) valueType(t types.Type, quoted bool) string {
	t = deref(t)
	switch {
	case quoted, isTime(t):
		return "string"
	case b.isEnum(t):
	case implements(t, marshalerType):
		return ""
	case implements(t, textType):
		return "string"
	}
	switch kind(t) {
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.String:
		return "string"
	case reflect.Slice:
		if isBytes(t) {
			return "string"
		}
		return "array"
	case reflect.Array:
		return "array"
	case reflect.Map, reflect.Struct:
		return "object"
	}
	return ""
}

// deref strips pointers, named or not, as reflect's Elem does.
func deref(t types.Type) types.Type {
	t = types.Unalias(t)
	for {
		p, ok := t.Underlying().(*types.Pointer)
		if !ok {
			return t
		}
		t = types.Unalias(p.Elem())
	}
}

// isBytes reports whether the slice type t is encoded as base64: its
// elements are bytes without JSON or text marshalers.
func isBytes(t types.Type) bool {
	elem := types.Unalias(t.Underlying().(*types.Slice).Elem())
	return kind(elem) == reflect.Uint8 && !implements(elem, marshalerType) && !implements(elem, textType)
}

// isTime reports whether t is time.Time.
func isTime(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Time"
}

func isNamed(t types.Type) bool {
	_, ok := types.Unalias(t).(*types.Named)
	return ok
}

// kind is the reflect.Kind of a value of type t.
func kind(t types.Type) reflect.Kind {
	switch u := t.Underlying().(type) {
	case *types.Basic:
		return basicKinds[u.Kind()]
	case *types.Pointer:
		return reflect.Pointer
	case *types.Slice:
		return reflect.Slice
	case *types.Array:
		return reflect.Array
	case *types.Map:
		return reflect.Map
	case *types.Struct:
		return reflect.Struct
	case *types.Interface:
		return reflect.Interface
	case *types.Chan:
		return reflect.Chan
	case *types.Signature:
		return reflect.Func
	}
	return reflect.Invalid
}

var basicKinds = map[types.BasicKind]reflect.Kind{
	types.Bool: reflect.Bool, types.String: reflect.String,
	types.Int: reflect.Int, types.Int8: reflect.Int8, types.Int16: reflect.Int16, types.Int32: reflect.Int32, types.Int64: reflect.Int64,
	types.Uint: reflect.Uint, types.Uint8: reflect.Uint8, types.Uint16: reflect.Uint16, types.Uint32: reflect.Uint32,
	types.Uint64: reflect.Uint64, types.Uintptr: reflect.Uintptr,
	types.Float32: reflect.Float32, types.Float64: reflect.Float64,
	types.Complex64: reflect.Complex64, types.Complex128: reflect.Complex128,
	types.UnsafePointer: reflect.UnsafePointer,
}

// The interfaces encoding/json looks for, built structurally.
var (
	marshalerType = methodIface("MarshalJSON")
	textType      = methodIface("MarshalText")

	// textUnmarshalerType is interface{ UnmarshalText([]byte) error }.
	textUnmarshalerType = types.NewInterfaceType([]*types.Func{types.NewFunc(token.NoPos, nil, "UnmarshalText",
		types.NewSignatureType(nil, nil, nil,
			types.NewTuple(types.NewParam(token.NoPos, nil, "", types.NewSlice(types.Typ[types.Uint8]))),
			types.NewTuple(types.NewParam(token.NoPos, nil, "", types.Universe.Lookup("error").Type())), false))}, nil).Complete()
)

// methodIface returns interface{ name() ([]byte, error) }.
func methodIface(name string) *types.Interface {
	res := types.NewTuple(
		types.NewParam(token.NoPos, nil, "", types.NewSlice(types.Typ[types.Uint8])),
		types.NewParam(token.NoPos, nil, "", types.Universe.Lookup("error").Type()),
	)
	fn := types.NewFunc(token.NoPos, nil, name, types.NewSignatureType(nil, nil, nil, nil, res, false))
	return types.NewInterfaceType([]*types.Func{fn}, nil).Complete()
}

// implements reports whether t or *t implements iface, as encoding/json
// finds methods on addressable values.
func implements(t types.Type, iface *types.Interface) bool {
	if types.Implements(t, iface) {
		return true
	}
	return kind(t) != reflect.Pointer && types.Implements(types.NewPointer(t), iface)
}

func (c *Config) enums(pkg *types.Package) bool {
	if c.Enums != nil {
		return c.Enums(pkg)
	}
	first, _, _ := strings.Cut(pkg.Path(), "/")
	return strings.Contains(first, ".")
}

// isEnum reports whether t is a named string or integer type whose
// package declares constants of type t.
func (b *builder) isEnum(t types.Type) bool {
	return len(b.enumConsts(t)) > 0
}

// enumConsts returns the package-level constants of the named string or
// integer type t, in declaration order, when its package declares enums.
// time.Duration is never an enum.
func (b *builder) enumConsts(t types.Type) []*types.Const {
	n, ok := types.Unalias(t).(*types.Named)
	if !ok || n.Obj().Pkg() == nil || n.TypeArgs().Len() > 0 || !b.cfg.enums(n.Obj().Pkg()) ||
		(n.Obj().Pkg().Path() == "time" && n.Obj().Name() == "Duration") {
		return nil
	}
	switch kind(n) {
	case reflect.String,
		reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
	default:
		return nil
	}
	scope := n.Obj().Pkg().Scope()
	var out []*types.Const
	for _, name := range scope.Names() {
		if c, ok := scope.Lookup(name).(*types.Const); ok && types.Identical(c.Type(), n) {
			out = append(out, c)
		}
	}
	slices.SortStableFunc(out, func(a, b *types.Const) int { return int(a.Pos()) - int(b.Pos()) })
	return out
}

// enumValues returns the values of t's constants as schema.RegisterEnum
// stores them: string, int64 or uint64.
func (b *builder) enumValues(t types.Type) []any {
	var out []any
	signed := kind(t) >= reflect.Int && kind(t) <= reflect.Int64
	for _, c := range b.enumConsts(t) {
		v := c.Val()
		switch {
		case v.Kind() == constant.String:
			out = append(out, constant.StringVal(v))
		case signed:
			i, _ := constant.Int64Val(v)
			out = append(out, i)
		default:
			u, _ := constant.Uint64Val(v)
			out = append(out, u)
		}
	}
	return out
}

// typeString writes t as reflect's String does: qualified by package
// name, "users.User", with the type arguments of a generic type by their
// package paths.
func typeString(t types.Type) string {
	if n, ok := types.Unalias(t).(*types.Named); ok && n.TypeArgs().Len() > 0 {
		return qualified(n) + reflectArgs(n)
	}
	return types.TypeString(t, func(p *types.Package) string { return p.Name() })
}

func qualified(n *types.Named) string {
	if p := n.Obj().Pkg(); p != nil {
		return p.Name() + "." + n.Obj().Name()
	}
	return n.Obj().Name()
}
