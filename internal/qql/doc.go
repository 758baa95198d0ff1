// Package qql owns the QQL grammar (Qualys Query Language, the search
// language of the Qualys UI and of the CSAM V1 APIs' "filter" parameter):
// lexing, parsing to an AST, and evaluation against any record through the
// small [Resolver] interface. It knows nothing of HTTP, CSAM wire types or
// storage; the emulator's V1 endpoints and the inventory's query language
// both use it.
//
// # Examples
//
//	operatingSystem.category1:`Windows`
//	customAttributes.key:'Media State4'
//	customAttributes:(key:'Media State4' and value:'Media disconnected')
//	inventory:(source:"qualys") and not tags.name:[Test, Staging]
//	asset.riskScore>90 or asset.lastUpdatedDate:[2024-01-01 .. 2024-01-31]
//	name:win* and software:(publisher:*)
//
// # Grammar
//
// In EBNF (ISO 14977 style; ws is any run of ASCII space, tab, CR, LF, FF
// or VT and may appear between any two symbols):
//
//	query     = expr .
//	expr      = orExpr .
//	orExpr    = andExpr { "or" andExpr } .
//	andExpr   = unary { "and" unary } .
//	unary     = "not" unary | primary .
//	primary   = "(" expr ")" | clause .
//	clause    = token ( ":" rhs | cmpOp value ) .
//	rhs       = [ cmpOp ] value                         (* equality or comparison *)
//	          | "(" expr ")"                            (* nested object/list *)
//	          | "(" rvalue ".." rvalue ")"              (* exclusive range *)
//	          | "[" rvalue ".." rvalue "]"              (* inclusive range *)
//	          | "[" rvalue { "," rvalue } "]" .         (* list, IN *)
//	cmpOp     = ">" | ">=" | "<" | "<=" .
//	token     = segment { "." segment } .
//	segment   = tchar { tchar } .
//	tchar     = letter | digit | "_" | "-" .            (* Unicode letters and digits *)
//	value     = quoted | bare .
//	rvalue    = quoted | rbare .
//	quoted    = "'" { qchar } "'" | '"' { qchar } '"' | "`" { qchar } "`" .
//	bare      = bchar { bchar } .                       (* not "and", "or", "not" *)
//	rbare     = bare without the two-character sequence ".." .
//	bchar     = any character except ws, "(", ")", "[", "]", "," ;
//	            the first one also not a quote character.
//
// Keywords (and, or, not) are case-insensitive and must be whole words. In
// a quoted value a backslash escapes the quote character and a backslash
// (\' \\); any other backslash is literal, so 'C:\Temp' needs no escaping.
// A quoted value may be empty (name:"" matches an empty string); a missing
// value ("name:" or "name: and ...") is a syntax error, as is a bare keyword
// used as a value (quote it). After ":" a "(" starts an exclusive range when
// its first value is followed by "..", otherwise a nested expression.
// token:>90 is the same clause as token>90.
//
// # Precedence and associativity
//
// From tightest to loosest: clause, not (prefix, right-associative: not not
// x), and, or. Parentheses group. "and" and "or" are associative; the parser
// builds one n-ary [And] or [Or] node per chain (flattening parenthesised
// chains of the same operator) and [Eval] evaluates terms left to right
// with short-circuiting. So
//
//	a:1 or b:2 and not c:3 or d:4   ==   a:1 or (b:2 and (not c:3)) or d:4
//
// # Limits
//
// Parse rejects queries longer than [MaxQueryLength] bytes, input that is
// not valid UTF-8, and nesting (parentheses, nested clauses and "not")
// deeper than [MaxDepth]. It never panics and runs in linear time (it
// looks ahead at most one value, to tell a range from a nested clause).
//
// # Matching semantics
//
// A token resolves (through [Resolver]) to zero or more values; a clause
// matches when ANY value matches, so lists match if any element does and a
// missing or null field matches nothing (and "not" of it matches).
//
//   - token:v — if v contains * (any run) or ? (one character), a
//     case-insensitive wildcard match on the value's text, quoted or not; a
//     value of only stars (publisher:*) means "present and non-empty".
//     Otherwise: numeric equality when the field value is numeric and v is
//     a number; time equality when v is a date/time and the field value is
//     (or parses as) a time, where a date-only v matches the whole UTC day
//     and a v with seconds the whole second; IP equality when both parse as
//     IP addresses; else case-insensitive string equality. The quote style
//     does not change matching.
//   - token<v, <=, >, >= — numeric if v is a number (field numbers and
//     numeric strings; a time or date-text field treats an integer v as epoch milliseconds), time
//     if v is a date/time, IP if v is an IP address, and a field value of
//     another type does not match; if v is plain text, case-insensitive
//     string order.
//   - token:[a .. b] — a <= x <= b with the same comparison rules (so
//     [2024-01-01 .. 2024-01-31] includes all of January 31);
//     token:(a .. b) excludes both ends. One element must satisfy both ends.
//   - token:[a, b, c] — token:a or token:b or token:c.
//   - token:(inner) — some element of the list (or the object) at token
//     satisfies inner, whose tokens are relative to that element; so
//     customAttributes:(key:x and value:y) needs key and value on the SAME
//     element, unlike customAttributes.key:x and customAttributes.value:y.
//
// Accepted date/time forms (in queries and in string fields): ISO-8601
// with "Z", "+hh:mm" or "+hhmm", or no zone (UTC), with "T" or a space
// before the time, seconds and fraction optional; yyyy-MM-dd; and, where
// the other side is a time, integers as epoch milliseconds.
//
// Unknown tokens: a [Resolver] reports them (ok=false) and Eval returns an
// [*UnknownTokenError]. Because of short-circuiting and empty lists, not
// every token is looked up on every record, so callers that must reject
// unknown tokens up front should check [Tokens] against their catalog.
package qql
