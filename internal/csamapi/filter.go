package csamapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// FieldType is the type class of a filter token; it decides which operators
// the gateway accepts (docs.qualys.com .../appendix/supported_operators.htm).
type FieldType string

const (
	Numeric            FieldType = "NUMERIC"
	NumericNoNotEquals FieldType = "NUMERIC_AND_NOT_EQUAL"
	String             FieldType = "STRING"
	StringNoNotEquals  FieldType = "STRING_AND_NOT_EQUAL"
	Date               FieldType = "DATE"
	Boolean            FieldType = "BOOLEAN"
	Enum               FieldType = "ENUM"
	UUID               FieldType = "UUID"
	IP                 FieldType = "IP"
)

// Operators. Note the vendor spelling: LESSER, not LESS.
const (
	OpEquals           = "EQUALS"
	OpNotEquals        = "NOT_EQUALS"
	OpIn               = "IN"
	OpContains         = "CONTAINS"
	OpGreater          = "GREATER"
	OpLesser           = "LESSER"
	OpGreaterThanEqual = "GREATER_THAN_EQUAL"
	OpLessThanEqual    = "LESS_THAN_EQUAL"
)

// OperatorsByType is the operator table of the supported-operators appendix.
var OperatorsByType = map[FieldType][]string{
	Numeric:            {OpEquals, OpIn, OpNotEquals, OpGreater, OpLesser, OpGreaterThanEqual, OpLessThanEqual},
	NumericNoNotEquals: {OpEquals, OpIn, OpGreater, OpLesser, OpGreaterThanEqual, OpLessThanEqual},
	String:             {OpContains, OpIn, OpEquals, OpNotEquals},
	StringNoNotEquals:  {OpContains, OpIn, OpEquals},
	Date:               {OpEquals, OpNotEquals, OpGreater, OpLesser, OpGreaterThanEqual, OpLessThanEqual},
	Boolean:            {OpEquals},
	Enum:               {OpEquals, OpNotEquals, OpIn},
	UUID:               {OpEquals, OpIn},
	IP:                 {OpEquals, OpIn},
}

// Filter tokens used by csamsync; both the pre-3.7 API tokens and the
// standardised QQL tokens are accepted (csam-api.md §3.5).
const (
	FieldAssetID          = "asset.assetID"
	FieldAssetIDAlt       = "asset.assetId"
	FieldAssetName        = "asset.name"
	FieldLastUpdated      = "asset.lastUpdated"
	FieldLastUpdatedDate  = "asset.lastUpdatedDate"
	FieldCreated          = "asset.created"
	FieldCreatedDate      = "asset.createdDate"
	FieldTagName          = "tags.name"
	FieldTagID            = "tags.id"
	FieldOSCategory1      = "operatingSystem.category1"
	FieldOSCategory2      = "operatingSystem.category2"
	FieldInventorySource  = "inventory.source"
	FieldCustomAttrKey    = "customAttributes.key"
	FieldCustomAttrValue  = "customAttributes.value"
	FieldLastInventory    = "asset.lastInventoryDate"
	FieldInventoryCreated = "inventory.created"
	FieldInventoryUpdated = "inventory.lastUpdated"
	FieldAssetType        = "asset.type"
	FieldTrackingMethod   = "asset.trackingMethod"
	FieldRiskScore        = "asset.riskScore"
	FieldCriticalityScore = "asset.criticalityScore"
	FieldHostID           = "asset.hostID"
	FieldAgentID          = "agent.agentID"
	FieldDomainRole       = "asset.domainRole"
	FieldProvider         = "provider"
)

// Fields maps every filter token csamsync knows to its type. The emulator
// answers 400 for tokens outside this table, as the gateway does for
// unknown tokens (nelssec PR #106: asset.lastSeen → 400).
var Fields = map[string]FieldType{
	FieldAssetID:          Numeric,
	FieldAssetIDAlt:       Numeric,
	FieldAssetName:        String,
	FieldLastUpdated:      Date,
	FieldLastUpdatedDate:  Date,
	FieldCreated:          Date,
	FieldCreatedDate:      Date,
	FieldTagName:          String,
	FieldTagID:            Numeric,
	FieldOSCategory1:      String,
	FieldOSCategory2:      String,
	FieldInventorySource:  String,
	FieldCustomAttrKey:    String,
	FieldCustomAttrValue:  String,
	FieldLastInventory:    Date,
	FieldInventoryCreated: Date,
	FieldInventoryUpdated: Date,
	FieldAssetType:        Enum,
	FieldTrackingMethod:   Enum,
	FieldRiskScore:        Numeric,
	FieldCriticalityScore: Numeric,
	FieldHostID:           Numeric,
	FieldAgentID:          UUID,
	FieldDomainRole:       String,
	FieldProvider:         String,
}

// Criterion is one filters[] entry. The XML form is
// <Criteria field="…" operator="…"><value>…</value></Criteria>.
type Criterion struct {
	Field    string `json:"field" xml:"field,attr"`
	Operator string `json:"operator" xml:"operator,attr"`
	Value    string `json:"value" xml:"value"`
}

// FilterRequest is the JSON filter body of search and count:
// {"filters":[…],"operation":"AND"}. One flat list, one operation.
type FilterRequest struct {
	Filters   []Criterion `json:"filters"`
	Operation string      `json:"operation,omitempty"`
}

// ErrInvalidFilter is wrapped by every filter validation error.
var ErrInvalidFilter = errors.New("invalid filter")

// ValidateCriterion checks the token is known and the operator is allowed
// for its type, and that dates parse, numbers are numbers and IN lists are
// not empty — before any request is sent.
func ValidateCriterion(c Criterion) error {
	ft, ok := Fields[c.Field]
	if !ok {
		return fmt.Errorf("%w: unknown field %q", ErrInvalidFilter, c.Field)
	}
	if !slices.Contains(OperatorsByType[ft], c.Operator) {
		return fmt.Errorf("%w: operator %q is not allowed for %s field %q (allowed: %s)",
			ErrInvalidFilter, c.Operator, ft, c.Field, strings.Join(OperatorsByType[ft], ", "))
	}
	values := []string{c.Value}
	if c.Operator == OpIn {
		values = SplitList(c.Value)
		if len(values) == 0 {
			return fmt.Errorf("%w: IN on %q needs at least one value", ErrInvalidFilter, c.Field)
		}
	}
	for _, v := range values {
		switch ft {
		case Numeric, NumericNoNotEquals:
			if !isDigits(strings.TrimSpace(v)) {
				return fmt.Errorf("%w: %q wants a number, got %q", ErrInvalidFilter, c.Field, v)
			}
		case Date:
			if _, ok := ParseTime(v); !ok {
				return fmt.Errorf("%w: %q wants a date, got %q", ErrInvalidFilter, c.Field, v)
			}
		case Boolean:
			if v != "true" && v != "false" {
				return fmt.Errorf("%w: %q wants true or false, got %q", ErrInvalidFilter, c.Field, v)
			}
		}
	}
	return nil
}

// Validate checks every criterion and the operation.
func (f FilterRequest) Validate() error {
	switch strings.ToUpper(f.Operation) {
	case "", "AND", "OR":
	default:
		return fmt.Errorf("%w: operation %q (want AND or OR)", ErrInvalidFilter, f.Operation)
	}
	for i, c := range f.Filters {
		if err := ValidateCriterion(c); err != nil {
			return fmt.Errorf("filters[%d]: %w", i, err)
		}
	}
	return nil
}

// SplitList splits a comma list as IN values are written ("a, b,c"),
// trimming blanks and dropping empty items. Case is preserved.
func SplitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// FilterBuilder builds a FilterRequest and rejects invalid criteria at the
// point they are added. The first error sticks and is returned by Build.
type FilterBuilder struct {
	req FilterRequest
	err error
}

// NewFilter starts a filter combined with AND.
func NewFilter() *FilterBuilder { return &FilterBuilder{req: FilterRequest{Operation: "AND"}} }

// Or combines the criteria with OR instead.
func (b *FilterBuilder) Or() *FilterBuilder { b.req.Operation = "OR"; return b }

// Where adds one criterion.
func (b *FilterBuilder) Where(field, operator, value string) *FilterBuilder {
	if b.err != nil {
		return b
	}
	c := Criterion{Field: field, Operator: operator, Value: value}
	if err := ValidateCriterion(c); err != nil {
		b.err = err
		return b
	}
	b.req.Filters = append(b.req.Filters, c)
	return b
}

// In adds field IN values (joined with commas; values must not contain one).
func (b *FilterBuilder) In(field string, values ...string) *FilterBuilder {
	for _, v := range values {
		if strings.Contains(v, ",") && b.err == nil {
			b.err = fmt.Errorf("%w: IN value %q for %q contains a comma", ErrInvalidFilter, v, field)
		}
	}
	return b.Where(field, OpIn, strings.Join(values, ","))
}

// Build returns the request, or the first error. An empty filter is valid
// and means "all assets".
func (b *FilterBuilder) Build() (FilterRequest, error) {
	if b.err != nil {
		return FilterRequest{}, b.err
	}
	return b.req, nil
}
