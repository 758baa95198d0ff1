package mapping

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/csamsync/csamsync/internal/csamapi"
	"github.com/csamsync/csamsync/internal/model"
)

// SoftwarePrefix starts every Package uid.
const SoftwarePrefix = "sw-"

// SoftwareUID is generateSoftwareUid: the Package uid of a software record,
// equal for the same software on every host and independent of host-specific
// fields (install path and date, last use, ids). It is SoftwarePrefix
// followed by the lower-case hex of the first 16 bytes of
//
//	SHA-256(publisher 0x1F product 0x1F version 0x1F architecture)
//
// where each part is normalised (surrounding white space trimmed, inner runs
// of white space collapsed to one space, lower-cased) and
//
//	publisher    = publisher, else discoveredPublisher
//	product      = fullName, else productName, else discoveredName,
//	               else "#" + the decimal software id
//	version      = version, else update, else discoveredVersion
//	architecture = architecture
//
// a value that is null, empty or a placeholder ("Unknown", "Unidentified",
// "None", "N/A", any case) counting as absent.
func SoftwareUID(s *csamapi.Software) string {
	var buf [256]byte
	b := buf[:0]
	b = appendNorm(b, firstReal(s.Publisher, s.DiscoveredPublisher))
	b = append(b, 0x1f)
	if p := firstReal(s.FullName, s.ProductName, s.DiscoveredName); p != "" {
		b = appendNorm(b, p)
	} else {
		b = append(b, '#')
		b = strconv.AppendInt(b, s.ID, 10)
	}
	b = append(b, 0x1f)
	b = appendNorm(b, firstReal(s.Version, s.Update, s.DiscoveredVersion))
	b = append(b, 0x1f)
	b = appendNorm(b, firstReal(s.Architecture))
	sum := sha256.Sum256(b)
	var out [len(SoftwarePrefix) + 32]byte
	copy(out[:], SoftwarePrefix)
	hex.Encode(out[len(SoftwarePrefix):], sum[:16])
	return string(out[:])
}

// appendNorm appends s trimmed, with inner white space collapsed to one
// space, lower-cased.
func appendNorm(b []byte, s string) []byte {
	space := false
	wrote := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			i++
			if c == ' ' || (c >= '\t' && c <= '\r') {
				space = true
				continue
			}
			if space && wrote {
				b = append(b, ' ')
			}
			space = false
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			b = append(b, c)
			wrote = true
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		i += n
		if unicode.IsSpace(r) {
			space = true
			continue
		}
		if space && wrote {
			b = append(b, ' ')
		}
		space = false
		b = utf8.AppendRune(b, unicode.ToLower(r))
		wrote = true
	}
	return b
}

// InstalledUID is the InstalledPackage uid: "<hostUID>/<packageUID>", plus
// "/<first 8 hex digits of SHA-256(installPath)>" when the install path
// (trimmed) is not empty, so that side-by-side copies stay distinct.
func InstalledUID(hostUID, packageUID, installPath string) string {
	installPath = strings.TrimSpace(installPath)
	n := len(hostUID) + 1 + len(packageUID)
	if installPath != "" {
		n += 9
	}
	b := make([]byte, 0, n)
	b = append(b, hostUID...)
	b = append(b, '/')
	b = append(b, packageUID...)
	if installPath != "" {
		sum := sha256.Sum256([]byte(installPath))
		var h [8]byte
		hex.Encode(h[:], sum[:4])
		b = append(b, '/')
		b = append(b, h[:]...)
	}
	return string(b)
}

type swRec struct {
	s   *csamapi.Software
	idx int
	pkg string
}

// mapSoftware maps the software list: one Package per distinct uid and one
// InstalledPackage per distinct installed uid. Records are taken in order of
// software id (then input order), so the record kept on a collision does not
// depend on the order CSAM sent them in; both lists are sorted by uid.
func mapSoftware(a *csamapi.Asset, hostUID string, keep KeepPackage) ([]model.Package, []model.InstalledPackage) {
	var list []csamapi.Software
	if a.SoftwareListData != nil {
		list = a.SoftwareListData.Software
	}
	pkgs := make([]model.Package, 0, len(list))
	inst := make([]model.InstalledPackage, 0, len(list))
	if len(list) == 0 {
		return pkgs, inst
	}
	recs := make([]swRec, len(list))
	for i := range list {
		recs[i] = swRec{s: &list[i], idx: i, pkg: SoftwareUID(&list[i])}
	}
	slices.SortFunc(recs, func(x, y swRec) int {
		return cmp.Or(cmp.Compare(x.s.ID, y.s.ID), cmp.Compare(x.idx, y.idx))
	})
	seenPkg := make(map[string]struct{}, len(recs))
	seenInst := make(map[string]struct{}, len(recs))
	for i := range recs {
		r := &recs[i]
		if _, dup := seenPkg[r.pkg]; !dup {
			seenPkg[r.pkg] = struct{}{}
			if keep == nil || keep(r.pkg, instant(r.s.InstallDate), instant(r.s.LastUpdated)) {
				pkgs = append(pkgs, mapPackage(r.s, r.pkg))
			}
		}
		uid := InstalledUID(hostUID, r.pkg, csamapi.Str(r.s.InstallPath))
		if _, dup := seenInst[uid]; dup {
			continue
		}
		seenInst[uid] = struct{}{}
		inst = append(inst, mapInstalled(r.s, uid, hostUID, r.pkg))
	}
	slices.SortFunc(pkgs, func(x, y model.Package) int { return strings.Compare(x.UID, y.UID) })
	slices.SortFunc(inst, func(x, y model.InstalledPackage) int { return strings.Compare(x.UID, y.UID) })
	return pkgs, inst
}

// softwareName: fullName, else productName, else discoveredName (a
// placeholder only when nothing better is there), else "#<id>".
func softwareName(s *csamapi.Software) string {
	if n := firstReal(s.FullName, s.ProductName, s.DiscoveredName); n != "" {
		return n
	}
	if n := firstNonEmpty(s.FullName, s.ProductName, s.DiscoveredName); n != "" {
		return n
	}
	return "#" + strconv.FormatInt(s.ID, 10)
}

func softwareRevision(s *csamapi.Software) string {
	return firstNonEmpty(s.Version, s.Update, s.DiscoveredVersion)
}

// softwareDescription: "<product> <revision> by <publisher>" with the parts
// that are known (product = productName, else discoveredName, else
// fullName), else the category.
func softwareDescription(s *csamapi.Software, revision string) string {
	product := firstReal(s.ProductName, s.DiscoveredName, s.FullName)
	publisher := firstReal(s.Publisher, s.DiscoveredPublisher)
	var b strings.Builder
	b.Grow(len(product) + len(revision) + len(publisher) + 5)
	b.WriteString(product)
	if revision != "" && product != "" {
		b.WriteByte(' ')
		b.WriteString(revision)
	}
	if publisher != "" && product != "" {
		b.WriteString(" by ")
		b.WriteString(publisher)
	}
	if b.Len() == 0 {
		return firstReal(s.Category)
	}
	return b.String()
}

func mapPackage(s *csamapi.Software, uid string) model.Package {
	rev := softwareRevision(s)
	return model.Package{
		UID:                uid,
		Name:               softwareName(s),
		Description:        softwareDescription(s, rev),
		Revision:           rev,
		Publisher:          clean(s.Publisher),
		SourceCreatedDate:  instant(s.InstallDate),
		SourceLastModified: instant(s.LastUpdated),
		Attributes:         packageAttributes(s),
	}
}

// packageAttributes: every Table 4 local variable under software.<field>,
// plus the catalogue-level extras listed in docs/mapping.md.
func packageAttributes(s *csamapi.Software) map[string]any {
	at := make(attrs, 48)
	at["software.id"] = strconv.FormatInt(s.ID, 10)
	at.str("software.architecture", s.Architecture)
	at.str("software.category", s.Category)
	at.str("software.category1", s.Category1)
	at.str("software.category2", s.Category2)
	at.str("software.component", s.Component)
	at.str("software.edition", s.Edition)
	at.str("software.formerlyKnownAs", s.FormerlyKnownAs)
	at.str("software.ignoredReason", s.IgnoredReason)
	at.boolean("software.isIgnored", s.IsIgnored)
	at.boolean("software.isPackage", s.IsPackage)
	at.boolean("software.isPackageComponent", s.IsPackageComponent)
	at.str("software.language", s.Language)
	if l := s.License; l != nil {
		at.str("software.license.category", l.Category)
		at.str("software.license.subcategory", l.Subcategory)
	}
	at.lifecycle(softwareLifecycleKeys, s.Lifecycle)
	at.str("software.marketVersion", s.MarketVersion)
	at.str("software.packageName", s.PackageName)
	at.str("software.productFamily", s.ProductFamily)
	at.str("software.productName", s.ProductName)
	at.str("software.productUrl", s.ProductURL)
	at.str("software.supportStageDesc", s.SupportStageDesc)
	at.str("software.softwareType", s.SoftwareType)
	at.str("software.update", s.Update)
	// Extras.
	at.str("software.fullName", s.FullName)
	at.str("software.version", s.Version)
	at.str("software.cpe", s.Cpe)
	at.flex("software.cpeId", s.CpeID)
	at.str("software.cpeType", s.CpeType)
	at.str("software.discoveredName", s.DiscoveredName)
	at.str("software.discoveredPublisher", s.DiscoveredPublisher)
	at.str("software.discoveredVersion", s.DiscoveredVersion)
	return at
}

func mapInstalled(s *csamapi.Software, uid, hostUID, pkgUID string) model.InstalledPackage {
	at := make(attrs, 8)
	at["software.id"] = strconv.FormatInt(s.ID, 10)
	at.date("software.lastUseDate", s.LastUseDate)
	at.date("software.lastUpdated", s.LastUpdated)
	at.boolean("software.isIgnored", s.IsIgnored)
	at.str("software.ignoredReason", s.IgnoredReason)
	at.str("software.discoverySources", s.DiscoverySources)
	at.str("software.authorization", s.Authorization)
	at.i64("software.authorizationDetectionScore", s.AuthorizationDetectionScore)
	if s.SoftwareInstances != nil {
		l := make([]map[string]any, 0, len(s.SoftwareInstances))
		for _, si := range s.SoftwareInstances {
			if si != nil {
				l = append(l, map[string]any(si))
			}
		}
		at["software.softwareInstances"] = l
	}
	return model.InstalledPackage{
		UID:         uid,
		Targets:     hostUID,
		Type:        pkgUID,
		InstallDate: instant(s.InstallDate),
		InstallPath: clean(s.InstallPath),
		Status:      model.InstalledPresent,
		Attributes:  at,
	}
}
