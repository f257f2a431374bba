package gati

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

type flatAll struct {
	S    string
	B    bool
	I    int
	I8   int8
	I16  int16
	I32  int32
	I64  int64
	U    uint
	U8   uint8
	U16  uint16
	U32  uint32
	U64  uint64
	UP   uintptr
	F32  float32
	F64  float64
	Kind flatKindName // a named string with no methods of its own
}

type flatKindName string

type flatTags struct {
	Renamed  string  `json:"name"`
	Skipped  string  `json:"-"`
	Dash     string  `json:"-,"`
	Empty    string  `json:",omitempty"`
	Zero     int     `json:"zero,omitempty"`
	NegZero  float64 `json:"neg_zero,omitempty"`
	False    bool    `json:"false,omitempty"`
	Invalid  string  `json:"a\"b"`
	HTML     string  `json:"<a&b>"`
	Unicode  string  `json:"名前"`
	Unknown  string  `json:"unknown,nonsense"`
	internal string
}

type flatTime struct{ Label string }

func (flatTime) MarshalText() ([]byte, error) { return []byte("custom"), nil }

type flatPtrMarshal string

func (*flatPtrMarshal) MarshalJSON() ([]byte, error) { return []byte(`"custom"`), nil }

type flatEmbeds struct {
	flatKindHolder
	Name string
}

type flatKindHolder struct{ Kind string }

func TestNewFlatJSONTakesOnlyWhatEncodingJSONWritesAsScalars(t *testing.T) {
	for _, tc := range []struct {
		typ  reflect.Type
		flat bool
	}{
		{reflect.TypeFor[flatAll](), true},
		{reflect.TypeFor[flatTags](), true},
		{reflect.TypeFor[struct{}](), true},
		{reflect.TypeFor[*flatAll](), false},
		{reflect.TypeFor[string](), false},
		{reflect.TypeFor[flatTime](), false},
		{reflect.TypeFor[flatEmbeds](), false},
		{reflect.TypeFor[struct{ N json.Number }](), false},
		{reflect.TypeFor[struct{ P flatPtrMarshal }](), false},
		{reflect.TypeFor[struct{ T flatTime }](), false},
		{reflect.TypeFor[struct {
			N int `json:"n,string"`
		}](), false},
		{reflect.TypeFor[struct {
			N int `json:"n,omitzero"`
		}](), false},
		{reflect.StructOf([]reflect.StructField{ // built here: vet rejects a repeated tag in source
			{Name: "A", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
			{Name: "B", Type: reflect.TypeFor[string](), Tag: `json:"x"`},
		}), false},
		{reflect.TypeFor[struct{ L []string }](), false},
		{reflect.TypeFor[struct{ P *string }](), false},
		{reflect.TypeFor[struct{ M map[string]int }](), false},
		{reflect.TypeFor[struct{ A any }](), false},
		{reflect.TypeFor[struct{ C complex128 }](), false},
	} {
		if got := newFlatJSON(tc.typ) != nil; got != tc.flat {
			t.Errorf("newFlatJSON(%v) flat = %v, want %v", tc.typ, got, tc.flat)
		}
	}
}

// flatEqualsJSON encodes v, a pointer to a struct, both ways and fails
// unless the bytes are encoding/json's.
func flatEqualsJSON(t *testing.T, v any) {
	t.Helper()
	rv := reflect.ValueOf(v)
	p := newFlatJSON(rv.Type().Elem())
	if p == nil {
		t.Fatalf("%T is not flat", v)
	}
	want, wantErr := json.Marshal(v)
	got, ok := p.appendJSON([]byte("prefix"), rv.UnsafePointer())
	if !strings.HasPrefix(string(got), "prefix") {
		t.Fatalf("appendJSON lost what b held: %q", got)
	}
	got = got[len("prefix"):]
	if wantErr != nil {
		if ok || len(got) != 0 {
			t.Fatalf("encoding/json fails (%v) but appendJSON wrote %q, ok %v", wantErr, got, ok)
		}
		return
	}
	if !ok || string(got) != string(want) {
		t.Fatalf("appendJSON = %q, ok %v; encoding/json writes %q", got, ok, want)
	}
}

func TestFlatJSONWritesEncodingJSONsBytes(t *testing.T) {
	for _, v := range []any{
		&flatAll{},
		&flatAll{S: `a"b\c<d>e&f` + "\x00\x1f\b\f\n\r\t\x7f é \u2028\u2029 \xff\xfe" + `😀`, B: true,
			I: math.MinInt, I8: math.MinInt8, I16: math.MinInt16, I32: math.MinInt32, I64: math.MinInt64,
			U: math.MaxUint, U8: math.MaxUint8, U16: math.MaxUint16, U32: math.MaxUint32, U64: math.MaxUint64,
			UP: 1, F32: 1e-7, F64: 1e21, Kind: "k"},
		&flatAll{F32: math.MaxFloat32, F64: math.SmallestNonzeroFloat64},
		&flatAll{F32: 123456789, F64: -0.000001},
		&flatAll{F32: float32(math.Copysign(0, -1)), F64: 1e20},
		&flatAll{F64: 3.0000000000000004e-9},
		&flatAll{F64: math.NaN()},
		&flatAll{F32: float32(math.Inf(-1))},
		&flatTags{},
		&flatTags{Renamed: "r", Skipped: "s", Dash: "d", Empty: "e", Zero: 1, NegZero: math.Copysign(0, -1),
			False: true, Invalid: "i", HTML: "h", Unicode: "u", Unknown: "n", internal: "x"},
		&struct{}{},
	} {
		flatEqualsJSON(t, v)
	}
}

// FuzzFlatJSON checks appendJSON against encoding/json for any tag name
// and any values of each kind.
func FuzzFlatJSON(f *testing.F) {
	f.Add("name", "omitempty", "Ada", true, int64(-1), uint64(1), 1.5, float32(2.5))
	f.Add("", "", "<\u2028\xff>", false, int64(0), uint64(0), 1e-7, float32(1e21))
	f.Add("a,b", "string", "\x00\"\\", true, int64(math.MaxInt64), uint64(math.MaxUint64), math.Copysign(0, -1), float32(-1e-7))
	f.Add("x&y", "omitzero", "", false, int64(7), uint64(8), 1e300, float32(3.4e38))
	f.Fuzz(func(t *testing.T, name, opts, s string, b bool, i int64, u uint64, f64 float64, f32 float32) {
		// A tag holds no quote or backslash, and the name no comma, so
		// each field's name is its own.
		clean := strings.NewReplacer(`"`, ``, `\`, ``)
		name, opts = strings.ReplaceAll(clean.Replace(name), ",", ""), clean.Replace(opts)
		tag := func(field string) reflect.StructTag {
			return reflect.StructTag(`json:"` + name + field + "," + opts + `"`)
		}
		typ := reflect.StructOf([]reflect.StructField{
			{Name: "S", Type: reflect.TypeFor[string](), Tag: tag("s")},
			{Name: "B", Type: reflect.TypeFor[bool](), Tag: tag("b")},
			{Name: "I", Type: reflect.TypeFor[int64](), Tag: tag("i")},
			{Name: "U", Type: reflect.TypeFor[uint64](), Tag: tag("u")},
			{Name: "F", Type: reflect.TypeFor[float64](), Tag: tag("f")},
			{Name: "G", Type: reflect.TypeFor[float32](), Tag: tag("g")},
		})
		v := reflect.New(typ)
		e := v.Elem()
		e.Field(0).SetString(s)
		e.Field(1).SetBool(b)
		e.Field(2).SetInt(i)
		e.Field(3).SetUint(u)
		e.Field(4).SetFloat(f64)
		e.Field(5).SetFloat(float64(f32))
		if newFlatJSON(typ) == nil {
			if !strings.Contains(","+opts+",", ",string,") && !strings.Contains(","+opts+",", ",omitzero,") {
				t.Fatalf("a struct of scalars with tag options %q is not flat", opts)
			}
			return
		}
		flatEqualsJSON(t, v.Interface())
	})
}

func TestTypedFlatResponses(t *testing.T) {
	type out struct {
		Message string  `json:"message"`
		Ratio   float64 `json:"ratio"`
	}
	app := New(WithEnv("test"), WithLogOutput(io.Discard))
	app.Handle("GET /ratio", Typed(func(_ *Global, _ *Local, in struct {
		Of string `query:"of"`
	}) (out, error) {
		if in.Of == "nan" {
			return out{Message: "bad", Ratio: math.NaN()}, nil
		}
		return out{Message: "<" + in.Of + ">", Ratio: 0.5}, nil
	}))
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(t.Context())
	for _, tc := range []struct {
		of, body string
		status   int
	}{
		{"a", `{"message":"\u003ca\u003e","ratio":0.5}`, http.StatusOK},
		{"b", `{"message":"\u003cb\u003e","ratio":0.5}`, http.StatusOK}, // the exchange's buffer reused
		{"nan", "", http.StatusInternalServerError},
	} {
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/ratio?of="+tc.of, nil))
		if rec.Code != tc.status {
			t.Fatalf("?of=%s: status %d, want %d: %s", tc.of, rec.Code, tc.status, rec.Body)
		}
		if tc.status == http.StatusOK {
			if rec.Body.String() != tc.body || rec.Header().Get("Content-Type") != "application/json" {
				t.Errorf("?of=%s: %s %q, want %q", tc.of, rec.Header().Get("Content-Type"), rec.Body, tc.body)
			}
		} else if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" {
			t.Errorf("?of=nan: content type %q, want problem+json: %s", ct, rec.Body)
		}
	}
}

func TestTypedFlatResponsesSetTheirHeaderFields(t *testing.T) {
	type created struct {
		Location string `header:"Location" json:"-"`
		Trace    string `header:"X-Trace" json:"-"`
		ID       int    `json:"id"`
	}
	if newFlatJSON(reflect.TypeFor[created]()) == nil {
		t.Fatal("an output with header fields is not flat")
	}
	app := New(WithEnv("test"), WithLogOutput(io.Discard))
	app.Handle("POST /things", Typed(func(_ *Global, _ *Local, _ struct{}) (created, error) {
		return created{Location: "/things/7", ID: 7}, nil
	}))
	if err := app.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	defer app.Stop(t.Context())
	rec := httptest.NewRecorder()
	app.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/things", nil))
	if rec.Body.String() != `{"id":7}` || rec.Header().Get("Location") != "/things/7" {
		t.Errorf("got %d %v %q, want Location /things/7 and {\"id\":7}", rec.Code, rec.Header(), rec.Body)
	}
	if _, set := rec.Header()["X-Trace"]; set {
		t.Errorf("an empty header field was sent: %v", rec.Header())
	}
}
