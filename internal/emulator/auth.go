package emulator

import (
	"bytes"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-json-experiment/json"
)

// Tokens are real HS512 JWTs signed with a per-server random key, shaped
// like the gateway's (csam-api.md §2.1), so clients can read exp the way
// syn-con does. A sequence number in jti lets the token-expiry fault revoke
// every token issued so far while fresh ones keep working.

const (
	credPassword = "UsernamePasswordCredential"
	credClient   = "ClientCredential"
)

type claims struct {
	Sub                              string   `json:"sub"`
	LoginResponse                    string   `json:"loginResponse"`
	SuccessfulAuthenticationHandlers []string `json:"successfulAuthenticationHandlers"`
	Iss                              string   `json:"iss"`
	Aud                              string   `json:"aud"`
	IPAddress                        string   `json:"ipAddress"`
	PortalUserID                     int64    `json:"portalUserId"`
	Usertype                         string   `json:"usertype"`
	QwebUserID                       int64    `json:"qwebUserId"`
	CredentialType                   string   `json:"credentialType"`
	ClientID                         string   `json:"clientId,omitempty"`
	AuthType                         string   `json:"authType,omitempty"` // oauth | oidc for client tokens
	ModulesAllowed                   []string `json:"modulesAllowed"`
	Iat                              int64    `json:"iat"`
	Exp                              int64    `json:"exp"`
	Jti                              string   `json:"jti"`
}

// jwtHeader is base64url({"alg":"HS512"}), the gateway's exact header.
var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS512"}`))

type authority struct {
	key []byte
	ttl time.Duration

	mu      sync.Mutex
	seq     int64
	revoked int64 // tokens with jti <= revoked are refused
}

func newAuthority(ttl time.Duration) *authority {
	key := make([]byte, 64)
	if _, err := rand.Read(key); err != nil {
		panic("emulator: crypto/rand: " + err.Error())
	}
	return &authority{key: key, ttl: ttl}
}

// issue returns a signed token for a password login (clientID == "") or a
// client-credential login.
func (a *authority) issue(subject, ip, clientID, authType string, now time.Time) string {
	a.mu.Lock()
	a.seq++
	seq := a.seq
	a.mu.Unlock()
	ttl := int64((a.ttl + time.Second - 1) / time.Second)
	c := claims{
		Sub: subject, LoginResponse: "SUCCESSFUL", SuccessfulAuthenticationHandlers: []string{"QualysAuthenticationHandler"},
		Iss: "qas", Aud: "qas", IPAddress: ip, PortalUserID: 1_234_567, Usertype: "fo", QwebUserID: 7_654_321,
		CredentialType: credPassword, ModulesAllowed: []string{"AM", "CA", "EASM", "GAV", "CSAM", "VM", "PC"},
		Iat: now.Unix(), Exp: now.Unix() + ttl, Jti: strconv.FormatInt(seq, 10),
	}
	if clientID != "" {
		c.CredentialType, c.ClientID, c.AuthType = credClient, clientID, authType
	}
	payload, _ := json.Marshal(c)
	signing := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(payload)
	return signing + "." + base64.RawURLEncoding.EncodeToString(a.sign(signing))
}

func (a *authority) sign(s string) []byte {
	m := hmac.New(sha512.New, a.key)
	m.Write([]byte(s))
	return m.Sum(nil)
}

var (
	errNoToken  = errors.New("no bearer token")
	errBadToken = errors.New("invalid token")
	errExpired  = errors.New("token expired")
)

// verify checks the Authorization header and returns the token's claims.
func (a *authority) verify(authz string, now time.Time) (*claims, error) {
	scheme, tok, ok := strings.Cut(strings.TrimSpace(authz), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return nil, errNoToken
	}
	tok = strings.TrimSpace(tok)
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || parts[0] != jwtHeader {
		return nil, errBadToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, a.sign(parts[0]+"."+parts[1])) {
		return nil, errBadToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil, errBadToken
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return nil, errBadToken
	}
	if !now.Before(time.Unix(c.Exp, 0)) {
		return nil, errExpired
	}
	seq, _ := strconv.ParseInt(c.Jti, 10, 64)
	a.mu.Lock()
	revoked := seq <= a.revoked
	a.mu.Unlock()
	if revoked {
		return nil, errExpired
	}
	return &c, nil
}

// revokeAll makes every token issued so far expired.
func (a *authority) revokeAll() {
	a.mu.Lock()
	a.revoked = a.seq
	a.mu.Unlock()
}

func (a *authority) issued() int64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.seq
}

func constEq(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// looksLikeJSON reports whether an /auth body is JSON rather than a form:
// the gateway answers that with 500 (wchan notes).
func looksLikeJSON(contentType string, body []byte) bool {
	if strings.Contains(strings.ToLower(contentType), "json") {
		return true
	}
	b := bytes.TrimSpace(body)
	return len(b) > 0 && (b[0] == '{' || b[0] == '[')
}
