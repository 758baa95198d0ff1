package qql

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// MapResolver resolves tokens against JSON-like data: map[string]any with
// nested maps, lists ([]any, []map[string]any and other slices), strings,
// booleans (as "true"/"false"), integers and floats of any Go type,
// json.Number, time.Time and Value. A token is looked up as a whole key
// first; otherwise its dots walk nested maps (operatingSystem.category1),
// and lists on the way are walked element by element, so
// customAttributes.key yields the key of every element. Keys are matched
// exactly, then case-insensitively.
//
// MapResolver knows every token: a path that is absent or null yields no
// values (ok=true). Check [Tokens] against a catalog to reject unknown
// tokens.
type MapResolver map[string]any

// maxWalk bounds recursion through self-referencing data.
const maxWalk = 64

// Lookup implements Resolver.
func (m MapResolver) Lookup(token string) ([]Value, bool) {
	var out []Value
	collect(map[string]any(m), token, &out, 0)
	return out, true
}

func collect(cur any, path string, out *[]Value, depth int) {
	if depth > maxWalk {
		return
	}
	if m, ok := asMap(cur); ok {
		// Exact keys first (the whole token, then ever longer prefixes),
		// then the same case-insensitively.
		for _, fold := range [2]bool{false, true} {
			if v, ok := getKey(m, path, fold); ok {
				appendValues(v, out, depth+1)
				return
			}
			for i := 0; i < len(path); i++ {
				if path[i] != '.' {
					continue
				}
				if v, ok := getKey(m, path[:i], fold); ok {
					collect(v, path[i+1:], out, depth+1)
					return
				}
			}
		}
		return
	}
	if l, ok := asList(cur); ok {
		for _, e := range l {
			collect(e, path, out, depth+1)
		}
	}
}

func getKey(m map[string]any, k string, fold bool) (any, bool) {
	if !fold {
		v, ok := m[k]
		return v, ok
	}
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v, true
		}
	}
	return nil, false
}

func asMap(v any) (map[string]any, bool) {
	switch x := v.(type) {
	case map[string]any:
		return x, true
	case MapResolver:
		return x, true
	case nil, string, []any:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil, false
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Map || rv.Type().Key().Kind() != reflect.String {
		return nil, false
	}
	m := make(map[string]any, rv.Len())
	it := rv.MapRange()
	for it.Next() {
		m[it.Key().String()] = it.Value().Interface()
	}
	return m, true
}

func asList(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case []map[string]any:
		l := make([]any, len(x))
		for i, e := range x {
			l[i] = e
		}
		return l, true
	case nil, string, map[string]any, []byte, json.RawMessage:
		return nil, false
	}
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			return nil, false
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, false
	}
	l := make([]any, rv.Len())
	for i := range l {
		l[i] = rv.Index(i).Interface()
	}
	return l, true
}

// appendValues converts one JSON-like value to Values (lists flatten).
func appendValues(v any, out *[]Value, depth int) {
	if depth > maxWalk {
		return
	}
	switch x := v.(type) {
	case nil:
	case string:
		*out = append(*out, Value{Str: x})
	case bool:
		*out = append(*out, Value{Str: strconv.FormatBool(x)})
	case int:
		*out = append(*out, intValue(int64(x)))
	case int8:
		*out = append(*out, intValue(int64(x)))
	case int16:
		*out = append(*out, intValue(int64(x)))
	case int32:
		*out = append(*out, intValue(int64(x)))
	case int64:
		*out = append(*out, intValue(x))
	case uint:
		*out = append(*out, uintValue(uint64(x)))
	case uint8:
		*out = append(*out, uintValue(uint64(x)))
	case uint16:
		*out = append(*out, uintValue(uint64(x)))
	case uint32:
		*out = append(*out, uintValue(uint64(x)))
	case uint64:
		*out = append(*out, uintValue(x))
	case float32:
		*out = append(*out, NumberValue(float64(x)))
	case float64:
		*out = append(*out, NumberValue(x))
	case json.Number:
		if f, err := x.Float64(); err == nil {
			*out = append(*out, Value{Num: f, IsNum: true, Str: string(x)})
		} else {
			*out = append(*out, Value{Str: string(x)})
		}
	case time.Time:
		*out = append(*out, TimeValue(x))
	case *time.Time:
		if x != nil {
			*out = append(*out, TimeValue(*x))
		}
	case Value:
		*out = append(*out, x)
	case []Value:
		*out = append(*out, x...)
	case map[string]any:
		*out = append(*out, Value{Obj: MapResolver(x)})
	case MapResolver:
		*out = append(*out, Value{Obj: x})
	case Resolver:
		*out = append(*out, Value{Obj: x})
	case []any:
		for _, e := range x {
			appendValues(e, out, depth+1)
		}
	case []byte:
		*out = append(*out, Value{Str: string(x)})
	case json.RawMessage:
		*out = append(*out, Value{Str: string(x)})
	case fmt.Stringer:
		*out = append(*out, Value{Str: x.String()})
	default:
		appendReflect(reflect.ValueOf(v), out, depth)
	}
}

func appendReflect(rv reflect.Value, out *[]Value, depth int) {
	switch rv.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !rv.IsNil() {
			appendValues(rv.Elem().Interface(), out, depth+1)
		}
	case reflect.String:
		*out = append(*out, Value{Str: rv.String()})
	case reflect.Bool:
		*out = append(*out, Value{Str: strconv.FormatBool(rv.Bool())})
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		*out = append(*out, intValue(rv.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		*out = append(*out, uintValue(rv.Uint()))
	case reflect.Float32, reflect.Float64:
		*out = append(*out, NumberValue(rv.Float()))
	case reflect.Slice, reflect.Array:
		if rv.Type().Elem().Kind() == reflect.Uint8 && rv.Kind() == reflect.Slice {
			*out = append(*out, Value{Str: string(rv.Bytes())})
			return
		}
		for i := 0; i < rv.Len(); i++ {
			appendValues(rv.Index(i).Interface(), out, depth+1)
		}
	case reflect.Map:
		if m, ok := asMap(rv.Interface()); ok {
			*out = append(*out, Value{Obj: MapResolver(m)})
		}
	default:
		if rv.IsValid() && rv.CanInterface() {
			*out = append(*out, Value{Str: fmt.Sprint(rv.Interface())})
		}
	}
}
