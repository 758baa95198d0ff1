package csamapi

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
)

// OneOrMany decodes a field that real servers send either as one object or
// as an array of objects (processor, whois). It re-emits an array unless it
// was decoded from, or built as, a single object.
type OneOrMany[T any] struct {
	Items  []T
	Single bool // emit as one object
}

// UnmarshalJSONFrom accepts null, an object or an array.
func (o *OneOrMany[T]) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*o = OneOrMany[T]{}
	switch dec.PeekKind() {
	case 'n':
		_, err := dec.ReadToken()
		return err
	case '{':
		var v T
		if err := json.UnmarshalDecode(dec, &v); err != nil {
			return err
		}
		o.Items, o.Single = []T{v}, true
		return nil
	case '[':
		return json.UnmarshalDecode(dec, &o.Items)
	default:
		// A scalar where an object belongs: skip it rather than fail the page.
		return dec.SkipValue()
	}
}

// MarshalJSONTo emits null, one object or an array.
func (o OneOrMany[T]) MarshalJSONTo(enc *jsontext.Encoder) error {
	switch {
	case o.Items == nil:
		return enc.WriteToken(jsontext.Null)
	case o.Single && len(o.Items) == 1:
		return json.MarshalEncode(enc, o.Items[0])
	default:
		return json.MarshalEncode(enc, o.Items)
	}
}

// FlexString holds a value sent as a number, a string, a bool or null
// (cpeId is a number, a string and null in public samples; sanitised
// samples put text in boolean fields). Numbers keep their exact decimal
// text; Raw marks a value that was a JSON literal (number or bool), so it is
// re-emitted unquoted.
type FlexString struct {
	Value string
	Valid bool
	Raw   bool
}

// UnmarshalJSONFrom accepts a number, a string, a bool or null.
func (f *FlexString) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	switch tok.Kind() {
	case 'n':
		*f = FlexString{}
	case '0':
		*f = FlexString{Value: tok.String(), Valid: true, Raw: true}
	case '"':
		*f = FlexString{Value: tok.String(), Valid: true}
	case 't', 'f':
		*f = FlexString{Value: tok.String(), Valid: true, Raw: true}
	default:
		return fmt.Errorf("expected a scalar, got %v", tok.Kind())
	}
	return nil
}

// MarshalJSONTo re-emits the value in its original kind.
func (f FlexString) MarshalJSONTo(enc *jsontext.Encoder) error {
	switch {
	case !f.Valid:
		return enc.WriteToken(jsontext.Null)
	case f.Raw:
		return enc.WriteValue(jsontext.Value(f.Value))
	default:
		return enc.WriteToken(jsontext.String(f.Value))
	}
}

// CloudProvider is asset.cloudProvider: normally an object keyed by provider
// (aws, azure, gcp, oci, ibm, alibaba), but some payloads carry a plain
// string such as "Amazon Web Services" (Elastic's sanitised live data).
type CloudProvider struct {
	Name    string // set when the wire value was a string
	AWS     *AWSCloud
	Azure   *GenericCloud
	GCP     *GenericCloud
	OCI     *GenericCloud
	IBM     *GenericCloud
	Alibaba *GenericCloud
}

// AWSCloud is cloudProvider.aws.
type AWSCloud struct {
	EC2  *EC2       `json:"ec2"`
	Tags []KeyValue `json:"tags"`
}

// EC2 is cloudProvider.aws.ec2.
type EC2 struct {
	AccountID        *string `json:"accountId"`
	AvailabilityZone *string `json:"availabilityZone"`
	HasAgent         *bool   `json:"hasAgent"`
	Hostname         *string `json:"hostname"`
	ImageID          *string `json:"imageId"`
	InstanceID       *string `json:"instanceId"`
	InstanceState    *string `json:"instanceState"`
	InstanceType     *string `json:"instanceType"`
	QualysScanner    *bool   `json:"qualysScanner"`
	KernelID         *string `json:"kernelId"`
	Launchdate       Time    `json:"launchdate"`
	PrivateDNS       *string `json:"privateDNS"`
	PrivateIPAddress *string `json:"privateIpAddress"`
	PublicDNS        *string `json:"publicDNS"`
	PublicIPAddress  *string `json:"publicIpAddress"`
	Region           *Region `json:"region"`
	SpotInstance     *bool   `json:"spotInstance"`
	SubnetID         *string `json:"subnetId"`
	VpcID            *string `json:"vpcId"`
}

// Region is a cloud region.
type Region struct {
	Code *string `json:"code"`
	Name *string `json:"name"`
}

// GenericCloud covers azure, gcp, oci, ibm and alibaba: one instance object
// under a provider-specific key ("vm" for Azure, "compute" for GCP, ...) and
// the cloud tags. The instance is kept as a generic map with exact numbers.
type GenericCloud struct {
	Instance    map[string]any // the instance object
	InstanceKey string         // its key on the wire
	Tags        []KeyValue
}

type cloudObject struct {
	AWS     *AWSCloud     `json:"aws"`
	Azure   *GenericCloud `json:"azure"`
	GCP     *GenericCloud `json:"gcp"`
	OCI     *GenericCloud `json:"oci"`
	IBM     *GenericCloud `json:"ibm"`
	Alibaba *GenericCloud `json:"alibaba"`
}

// UnmarshalJSONFrom accepts an object, a string or null.
func (c *CloudProvider) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*c = CloudProvider{}
	switch dec.PeekKind() {
	case '"':
		tok, err := dec.ReadToken()
		if err != nil {
			return err
		}
		c.Name = tok.String()
		return nil
	case '{':
		var o cloudObject
		if err := json.UnmarshalDecode(dec, &o); err != nil {
			return err
		}
		c.AWS, c.Azure, c.GCP, c.OCI, c.IBM, c.Alibaba = o.AWS, o.Azure, o.GCP, o.OCI, o.IBM, o.Alibaba
		return nil
	default:
		return dec.SkipValue()
	}
}

// MarshalJSONTo emits the string form or the object form with all six keys.
func (c CloudProvider) MarshalJSONTo(enc *jsontext.Encoder) error {
	if c.Name != "" {
		return enc.WriteToken(jsontext.String(c.Name))
	}
	return json.MarshalEncode(enc, cloudObject{AWS: c.AWS, Azure: c.Azure, GCP: c.GCP, OCI: c.OCI, IBM: c.IBM, Alibaba: c.Alibaba})
}

// UnmarshalJSONFrom reads {"<instanceKey>": {...}, "tags": [...]} in wire
// order; should a provider ever send two instance objects, the first wins.
func (g *GenericCloud) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	*g = GenericCloud{}
	tok, err := dec.ReadToken()
	if err != nil {
		return err
	}
	if tok.Kind() != '{' {
		return fmt.Errorf("cloud provider: want an object, got %v", tok.Kind())
	}
	for dec.PeekKind() != '}' {
		kt, err := dec.ReadToken()
		if err != nil {
			return err
		}
		key := kt.String()
		switch {
		case key == "tags":
			if err := json.UnmarshalDecode(dec, &g.Tags); err != nil {
				return fmt.Errorf("cloud tags: %w", err)
			}
		case g.InstanceKey == "" && dec.PeekKind() == '{':
			v, err := DecodeExact(dec)
			if err != nil {
				return fmt.Errorf("cloud %s: %w", key, err)
			}
			g.Instance, _ = v.(map[string]any)
			g.InstanceKey = key
		default:
			if err := dec.SkipValue(); err != nil {
				return err
			}
		}
	}
	_, err = dec.ReadToken()
	return err
}

// MarshalJSONTo writes the instance under its key, then the tags.
func (g GenericCloud) MarshalJSONTo(enc *jsontext.Encoder) error {
	if err := enc.WriteToken(jsontext.BeginObject); err != nil {
		return err
	}
	if g.InstanceKey != "" {
		if err := enc.WriteToken(jsontext.String(g.InstanceKey)); err != nil {
			return err
		}
		if err := json.MarshalEncode(enc, g.Instance); err != nil {
			return err
		}
	}
	if err := enc.WriteToken(jsontext.String("tags")); err != nil {
		return err
	}
	if err := json.MarshalEncode(enc, g.Tags, json.FormatNilSliceAsNull(true)); err != nil {
		return err
	}
	return enc.WriteToken(jsontext.EndObject)
}

// SoftwareInstance is one software.softwareInstances[] entry. Qualys docs use
// camelCase keys (instanceName, technology, version, port, installPath,
// configurationPath, homePath, firstSeen, lastSeen); live data has been seen
// with UPPERCASE keys (BIN_PATH, CONF_PATH, PROC, PRODUCT, TECHNOLOGY,
// VERSION, InstanceName). All keys are kept as sent, with exact numbers; Get
// looks a key up ignoring case and underscores.
type SoftwareInstance map[string]any

// Get returns the value of a key compared without case and underscores, so
// Get("instanceName") finds "InstanceName" and Get("binPath") "BIN_PATH".
func (s SoftwareInstance) Get(key string) (any, bool) {
	if v, ok := s[key]; ok {
		return v, true
	}
	want := normKey(key)
	for k, v := range s {
		if normKey(k) == want {
			return v, true
		}
	}
	return nil, false
}

// String returns Get(key) as text ("" when absent or null).
func (s SoftwareInstance) String(key string) string {
	v, ok := s.Get(key)
	if !ok || v == nil {
		return ""
	}
	switch t := v.(type) {
	case string:
		return t
	case Number:
		return string(t)
	default:
		return fmt.Sprint(t)
	}
}

func normKey(k string) string {
	return strings.ToLower(strings.ReplaceAll(k, "_", ""))
}

// UnmarshalJSONFrom keeps numbers exact (as json.Number).
func (s *SoftwareInstance) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	if dec.PeekKind() == 'n' {
		_, err := dec.ReadToken()
		*s = nil
		return err
	}
	v, err := dec.ReadValue()
	if err != nil {
		return err
	}
	var m map[string]any
	if err := unmarshalExact(v, &m); err != nil {
		return err
	}
	*s = m
	return nil
}

// Number is a JSON number kept as its exact decimal text.
type Number string

// MarshalJSONTo writes the number as sent.
func (n Number) MarshalJSONTo(enc *jsontext.Encoder) error {
	return enc.WriteValue(jsontext.Value(n))
}

// unmarshalExact decodes a generic value keeping numbers as Number, so that
// no 64-bit id is rounded through float64.
func unmarshalExact(v jsontext.Value, out *map[string]any) error {
	dec := jsontext.NewDecoder(bytes.NewReader(v))
	val, err := DecodeExact(dec)
	if err != nil {
		return err
	}
	m, _ := val.(map[string]any)
	*out = m
	return nil
}

// DecodeExact decodes the next JSON value into generic Go values (maps,
// slices, strings, bools) with numbers kept as Number, so that no 64-bit id
// is rounded through float64.
func DecodeExact(dec *jsontext.Decoder) (any, error) {
	tok, err := dec.ReadToken()
	if err != nil {
		return nil, err
	}
	switch tok.Kind() {
	case 'n':
		return nil, nil
	case 't', 'f':
		return tok.Bool(), nil
	case '"':
		return tok.String(), nil
	case '0':
		return Number(tok.String()), nil
	case '[':
		arr := []any{}
		for dec.PeekKind() != ']' {
			v, err := DecodeExact(dec)
			if err != nil {
				return nil, err
			}
			arr = append(arr, v)
		}
		_, err := dec.ReadToken()
		return arr, err
	case '{':
		m := map[string]any{}
		for dec.PeekKind() != '}' {
			k, err := dec.ReadToken()
			if err != nil {
				return nil, err
			}
			key := k.String() // the token is voided by the next read
			v, err := DecodeExact(dec)
			if err != nil {
				return nil, err
			}
			m[key] = v
		}
		_, err := dec.ReadToken()
		return m, err
	}
	return nil, fmt.Errorf("unexpected JSON token %v", tok.Kind())
}
