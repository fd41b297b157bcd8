package config

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

func parseTrusts(p *problems, raw []rawTrust) []Trust {
	trusts := make([]Trust, 0, len(raw))
	codes := map[string]int{}
	names := map[string]int{}
	for i, r := range raw {
		key := fmt.Sprintf("%s[%d]", KeyTrusts, i)
		t := Trust{Code: r.Code, Name: strings.TrimSpace(r.Name), Region: strings.TrimSpace(r.Region), EgressCIDRs: r.EgressCIDRs, Rotation: orInt(r.Rotation, 0),
			Hosting: Hosting(orString(r.Hosting, string(HostingOnPrem)))}
		if !flip.ValidTrustCode(t.Code) {
			p.add(key+".code", "%q is not a trust code; want %s", t.Code, flip.TrustCodeRule)
		} else if j, dup := codes[t.Code]; dup {
			p.add(key+".code", "%q is already used by trusts[%d]; want a unique code", t.Code, j)
		} else {
			codes[t.Code] = i
		}
		switch folded := strings.ToLower(t.Name); {
		case t.Name == "":
			p.add(key+".name", "is empty; want the trust's name such as Guy's and St Thomas'")
		case len(t.Name) > 128:
			p.add(key+".name", "is %d characters long; want at most 128", len(t.Name))
		default:
			if j, dup := names[folded]; dup {
				p.add(key+".name", "%q is already used by trusts[%d]; want a unique name", t.Name, j)
			} else {
				names[folded] = i
			}
		}
		if t.Region == "" {
			p.add(key+".region", "is empty; want the trust's region such as London")
		}
		switch {
		case t.Hosting != HostingOnPrem && t.Hosting != HostingAWS:
			p.add(key+".hosting", "%q is not a hosting; want onprem (the trust runs its own stack, the default) or aws (the stack builds the trust's host in the hub's VPC)", r.Hosting)
		case t.AWSHosted() && len(t.EgressCIDRs) > 0:
			p.add(key+".egressCidrs", "is set for an AWS-hosted trust, whose FL traffic leaves through the hub's NAT gateways (admitted automatically); want it unset")
		case !t.AWSHosted() && len(t.EgressCIDRs) == 0:
			p.add(key+".egressCidrs", "is empty; want the trust's public egress networks such as [203.0.113.0/28]")
		}
		for j, c := range t.EgressCIDRs {
			checkTrustCIDR(p, fmt.Sprintf("%s.egressCidrs[%d]", key, j), c)
		}
		if t.Rotation < 0 {
			p.add(key+".rotation", "%d is negative; want 0 or a count that is bumped to rotate the trust's keys", t.Rotation)
		}
		trusts = append(trusts, t)
	}
	checkOverlappingEgress(p, trusts)
	return trusts
}

// checkOverlappingEgress reports egress networks that overlap without being identical: trusts
// behind one NAT share an identical network (and one FL rule), but a network inside another is
// almost always a typo, and it opens the FL port wider than either trust needs.
func checkOverlappingEgress(p *problems, trusts []Trust) {
	type net struct {
		key string
		pfx netip.Prefix
	}
	var nets []net
	for i, t := range trusts {
		for j, c := range t.EgressCIDRs {
			if pfx, err := netip.ParsePrefix(c); err == nil {
				nets = append(nets, net{fmt.Sprintf("%s[%d].egressCidrs[%d]", KeyTrusts, i, j), pfx.Masked()})
			}
		}
	}
	for a := range nets {
		for b := a + 1; b < len(nets); b++ {
			x, y := nets[a], nets[b]
			if x.pfx != y.pfx && x.pfx.Overlaps(y.pfx) {
				p.add(y.key, "%s overlaps %s (%s) without being the same network; want identical networks for trusts behind one NAT, or disjoint ones",
					y.pfx, x.pfx, x.key)
			}
		}
	}
}

func checkTrustCIDR(p *problems, key, cidr string) {
	pfx, err := netip.ParsePrefix(cidr)
	switch {
	case err != nil || !pfx.Addr().Is4():
		p.add(key, "%q is not an IPv4 CIDR; want a public egress network such as 203.0.113.0/28", cidr)
	case pfx.Bits() == 0:
		p.add(key, "%q opens the FL port to the whole internet; want the trust's own egress network such as 203.0.113.0/28", cidr)
	case pfx.Masked() != pfx:
		p.add(key, "%q has host bits set; want a network address such as %s", cidr, pfx.Masked())
	case pfx.Bits() < 8:
		p.add(key, "%q is far broader than a trust's egress; want a prefix of /8 or longer such as 203.0.113.0/28", cidr)
	}
}

func parseFL(p *problems, r rawFL, trustCount int) FL {
	key := KeyFL
	fl := FL{Backend: FLBackend(orString(r.Backend, string(NVFlare))), KitDate: r.KitDate, MinClients: orInt(r.MinClients, defaultMinClients)}
	port := defaultNVFlarePort
	switch fl.Backend {
	case NVFlare:
	case Flower:
		port = defaultFlowerPort
	default:
		p.add(key+".backend", "%q is not an FL backend; want nvflare or flower", r.Backend)
	}
	fl.Port = orInt(r.Port, port)
	if fl.Port < 1 || fl.Port > 65535 {
		p.add(key+".port", "%d is outside 1–65535; want a TCP port such as %d", fl.Port, port)
	} else if what, bad := forbiddenPorts[fl.Port]; bad {
		p.add(key+".port", "%d is the %s port, which is never opened; want a port such as %d", fl.Port, what, port)
	}
	fl.KitSlotNames = r.KitSlotNames
	if len(fl.KitSlotNames) == 0 {
		for i := 1; i <= max(trustCount, 2); i++ {
			fl.KitSlotNames = append(fl.KitSlotNames, fmt.Sprintf("Trust_%d", i))
		}
	}
	seen := map[string]bool{}
	for i, s := range fl.KitSlotNames {
		k := fmt.Sprintf("%s.kitSlotNames[%d]", key, i)
		if !kitSlotRE.MatchString(s) {
			p.add(k, "%q is not a kit slot name; want letters, digits, _ or - such as Trust_1", s)
		} else if seen[s] {
			p.add(k, "%q is listed twice; want unique slot names", s)
		}
		seen[s] = true
	}
	if len(fl.KitSlotNames) < trustCount {
		p.add(key+".kitSlotNames", "has %d slots for %d trusts; want at least one slot per trust", len(fl.KitSlotNames), trustCount)
	}
	// flip-api reads every slot name from one SSM String parameter (JSON list). SSM holds up to
	// 4 KB in the Standard tier and 8 KB in the Advanced tier (Systems Manager User Guide,
	// "Managing parameter tiers"); a longer list cannot be stored at all.
	if list, err := json.Marshal(fl.KitSlotNames); err == nil {
		switch n := len(list); {
		case n > AdvancedParameterBytes:
			p.add(key+".kitSlotNames", "lists %d slots in %d characters of JSON; SSM parameters hold at most %d (Advanced tier), so want fewer or shorter slot names", len(fl.KitSlotNames), n, AdvancedParameterBytes)
		case n > StandardParameterBytes:
			fl.KitSlotTier = "Advanced"
		default:
			fl.KitSlotTier = "Standard"
		}
	}
	if !kitDateRE.MatchString(fl.KitDate) {
		p.add(key+".kitDate", "%q does not name a kit release; want the folder of the FL server kits in the kits bucket, such as 2025-06-01", fl.KitDate)
	}
	if fl.MinClients < 1 {
		p.add(key+".minClients", "%d is below 1; want the number of trusts a round needs, such as 1", fl.MinClients)
	}
	return fl
}

func parseImports(p *problems, raw map[string]string) map[string]string {
	known := ImportKeys()
	out := map[string]string{}
	for k, v := range raw {
		switch {
		case !slices.Contains(known, k):
			p.add(KeyImports+"."+k, "is not a resource that can be adopted; want one of %v", known)
		case strings.TrimSpace(v) == "" || strings.ContainsAny(v, " \t\n"):
			p.add(KeyImports+"."+k, "%q is not a resource ID; want the ID of the existing resource", v)
		default:
			out[k] = v
		}
	}
	if v, ok := out[ImportKMSAlias]; ok {
		switch {
		case out[ImportKMSKey] == "":
			p.add(KeyImports+"."+ImportKMSAlias, "adopts the key's alias but %s is not set; want the key's ID there too", ImportKMSKey)
		case !strings.HasPrefix(v, "alias/"):
			p.add(KeyImports+"."+ImportKMSAlias, "%q is not an alias name; want alias/<name>", v)
		}
	}
	// The pool's domain, client and users can only be adopted with the pool, and their IDs
	// name it.
	pool := out[ImportCognitoUserPool]
	for _, k := range []string{ImportCognitoDomain, ImportCognitoAppClient, ImportCognitoAdminUser, ImportCognitoResearcherUser} {
		v, ok := out[k]
		switch {
		case !ok:
		case pool == "":
			p.add(KeyImports+"."+k, "adopts part of a user pool but %s is not set; want the pool's ID there too", ImportCognitoUserPool)
		case k != ImportCognitoDomain && !strings.HasPrefix(v, pool+"/"):
			p.add(KeyImports+"."+k, "%q is not an ID in the adopted pool; want %s/<id or username>", v, pool)
		}
	}
	return out
}

func parseSecrets(p *problems, src Source) {
	aes, hasAES := src.Get(KeyFlipAPIAESKey)
	isk, hasISK := src.Get(KeyFlipAPIInternalServiceKey)
	if hasAES != hasISK {
		missing := KeyFlipAPIAESKey
		if hasAES {
			missing = KeyFlipAPIInternalServiceKey
		}
		p.add(missing, "not set while its pair is; want both keys set as secrets (an existing hub's FLIP_API values) or neither")
	}
	if hasAES {
		if b, err := base64.StdEncoding.DecodeString(aes); err != nil || len(b) != 32 {
			p.add(KeyFlipAPIAESKey, "is not the base64 of 32 bytes (value not shown); want the existing hub's aes_key")
		}
	}
	if hasISK && !urlSafeKeyRE.MatchString(isk) {
		p.add(KeyFlipAPIInternalServiceKey, "is not a URL-safe key of at least 43 characters (value not shown); want the existing hub's internal_service_key")
	}
	if tok, ok := src.Get(KeyRegistryToken); ok && strings.TrimSpace(tok) == "" {
		p.add(KeyRegistryToken, "is empty (value not shown); want a registry token with read access to the images, or leave it unset for public images")
	}
}
