package qql

import (
	"errors"
	"fmt"
)

// Resolver gives the values of a record's fields by token. ok=false means
// the token is unknown (Eval then fails with *UnknownTokenError); a known
// field that is absent or null returns no values and ok=true.
type Resolver interface {
	Lookup(token string) (values []Value, ok bool)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(token string) ([]Value, bool)

// Lookup calls f.
func (f ResolverFunc) Lookup(token string) ([]Value, bool) { return f(token) }

// UnknownTokenError is returned by Eval when the resolver does not know a
// token. For tokens inside a nested clause Token is the full path
// (customAttributes.key).
type UnknownTokenError struct {
	Token string
	Pos   int // byte offset of the token in the query (0 for built ASTs)
}

func (e *UnknownTokenError) Error() string {
	return fmt.Sprintf("qql: unknown token %q", e.Token)
}

// Eval reports whether the record behind r matches e. A nil e matches
// every record. And and Or evaluate left to right and short-circuit.
func Eval(e Expr, r Resolver) (bool, error) {
	if e == nil {
		return true, nil
	}
	if r == nil {
		return false, errors.New("qql: nil resolver")
	}
	return eval(e, r)
}

func eval(e Expr, r Resolver) (bool, error) {
	switch n := e.(type) {
	case *And:
		for _, t := range n.Terms {
			if ok, err := eval(t, r); err != nil || !ok {
				return false, err
			}
		}
		return true, nil
	case *Or:
		for _, t := range n.Terms {
			if ok, err := eval(t, r); err != nil || ok {
				return ok, err
			}
		}
		return false, nil
	case *Not:
		ok, err := eval(n.X, r)
		return !ok && err == nil, err
	case *Compare:
		vals, known := r.Lookup(n.Token)
		if !known {
			return false, &UnknownTokenError{Token: n.Token, Pos: n.Pos}
		}
		for _, v := range vals {
			for i := range n.Values {
				l := &n.Values[i]
				var m bool
				if n.Op == OpEq || n.Op == OpIn {
					m = matchEq(v, l)
				} else {
					m = matchOrd(v, l, n.Op)
				}
				if m {
					return true, nil
				}
			}
		}
		return false, nil
	case *Range:
		vals, known := r.Lookup(n.Token)
		if !known {
			return false, &UnknownTokenError{Token: n.Token, Pos: n.Pos}
		}
		loOp, hiOp := OpGe, OpLe
		if n.Exclusive {
			loOp, hiOp = OpGt, OpLt
		}
		for _, v := range vals {
			if matchOrd(v, &n.Lo, loOp) && matchOrd(v, &n.Hi, hiOp) {
				return true, nil
			}
		}
		return false, nil
	case *Nested:
		vals, known := r.Lookup(n.Token)
		if !known {
			return false, &UnknownTokenError{Token: n.Token, Pos: n.Pos}
		}
		for _, v := range vals {
			if v.Obj == nil {
				continue
			}
			ok, err := eval(n.Inner, v.Obj)
			if err != nil {
				var ute *UnknownTokenError
				if errors.As(err, &ute) {
					return false, &UnknownTokenError{Token: n.Token + "." + ute.Token, Pos: ute.Pos}
				}
				return false, err
			}
			if ok {
				return true, nil
			}
		}
		return false, nil
	case nil:
		return false, errors.New("qql: nil expression")
	}
	return false, fmt.Errorf("qql: unsupported expression type %T", e)
}
