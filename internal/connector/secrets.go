package connector

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
)

// Environment variables that hold the secret key (32 bytes, base64 or hex)
// or the path of a file holding it.
const (
	KeyEnv     = "CSAMSYNC_SECRET_KEY"
	KeyFileEnv = "CSAMSYNC_SECRET_KEY_FILE"
)

// ErrNoKey means a secret must be stored or read but no key is configured.
var ErrNoKey = errors.New("no secret key: set " + KeyEnv + " (32 random bytes, base64: openssl rand -base64 32) or " +
	KeyFileEnv + ", or reference the secret with password_env / client_secret_env instead of storing it")

// ErrWrongKey means the stored ciphertext does not open with the key.
var ErrWrongKey = errors.New("cannot decrypt the stored secret: " + KeyEnv + " is not the key it was stored with")

// Keyring seals and opens secrets with AES-256-GCM. The connector name is
// the additional data, so a sealed secret cannot be moved to another
// connector.
type Keyring struct{ aead cipher.AEAD }

// KeyringFromEnv loads the key from the environment; (nil, nil) when none
// is configured, so that profiles with env-referenced secrets still work.
func KeyringFromEnv() (*Keyring, error) {
	text := os.Getenv(KeyEnv)
	if text == "" {
		if path := os.Getenv(KeyFileEnv); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", KeyFileEnv, err)
			}
			text = string(b)
		}
	}
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	return NewKeyring(text)
}

// NewKeyring parses a 32-byte key written in base64 (standard or URL) or hex.
func NewKeyring(text string) (*Keyring, error) {
	text = strings.TrimSpace(text)
	var key []byte
	for _, dec := range []func(string) ([]byte, error){
		base64.StdEncoding.DecodeString, base64.URLEncoding.DecodeString,
		base64.RawStdEncoding.DecodeString, base64.RawURLEncoding.DecodeString, hex.DecodeString,
	} {
		if b, err := dec(text); err == nil && len(b) == 32 {
			key = b
			break
		}
	}
	if key == nil {
		return nil, fmt.Errorf("secret key must be 32 bytes in base64 or hex (openssl rand -base64 32)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Keyring{aead: aead}, nil
}

func (k *Keyring) seal(name, clear string) (string, error) {
	if k == nil {
		return "", ErrNoKey
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := k.aead.Seal(nonce, nonce, []byte(clear), []byte(name))
	return base64.StdEncoding.EncodeToString(out), nil
}

func (k *Keyring) open(name, sealed string) (string, error) {
	if k == nil {
		return "", ErrNoKey
	}
	b, err := base64.StdEncoding.DecodeString(sealed)
	if err != nil || len(b) < k.aead.NonceSize() {
		return "", fmt.Errorf("stored secret of connector %q is corrupt", name)
	}
	n := k.aead.NonceSize()
	clear, err := k.aead.Open(nil, b[:n], b[n:], []byte(name))
	if err != nil {
		return "", ErrWrongKey
	}
	return string(clear), nil
}

// Seal returns a copy of p whose clear-text secrets are replaced by their
// sealed form, ready to be stored.
func (k *Keyring) Seal(p Profile) (Profile, error) {
	for _, s := range []*Secret{&p.Password, &p.ClientSecret} {
		if s.Env != "" || s.Value == "" {
			s.Value = ""
			continue
		}
		sealed, err := k.seal(p.Name, s.Value)
		if err != nil {
			return Profile{}, err
		}
		s.Sealed, s.Value = sealed, ""
	}
	return p, nil
}

// Open fills the clear-text secrets of a stored profile.
func (k *Keyring) Open(p Profile) (Profile, error) {
	for _, s := range []*Secret{&p.Password, &p.ClientSecret} {
		if s.Sealed == "" || s.Env != "" {
			continue
		}
		clear, err := k.open(p.Name, s.Sealed)
		if err != nil {
			return Profile{}, fmt.Errorf("connector %q: %w", p.Name, err)
		}
		s.Value = clear
	}
	return p, nil
}
