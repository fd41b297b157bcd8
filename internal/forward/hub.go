package forward

import (
	"fmt"
	"sort"
	"strings"
)

// Service names of the hub's forwards.
const (
	FlipAPI  = "flip-api"
	FLServer = "fl-server"
	DB       = "db"
)

// HubOptions are what the hub's forwards are built from.
type HubOptions struct {
	// APIPort is the port the hub host publishes flip-api on (8000).
	APIPort int
	// FLPort is the port the hub host publishes the FL server on (stack output flPort).
	FLPort int
	// DBHost, DBPort and DBName are the RDS endpoint and database (dbAddress, dbPort, dbName).
	DBHost string
	DBPort int
	DBName string
	// DBSecretARN is named in the db forward's note, so the operator knows where the password is.
	DBSecretARN string
}

// Hub returns the hub's forwards by name. Local ports default to the remote port plus 10000
// (flip-api on 18000, NVFLARE on 18002, PostgreSQL on 15432), so they are predictable and do not
// collide with services the operator runs locally on the usual ports.
func Hub(o HubOptions) map[string]Target {
	local := func(p int) int {
		if p+10000 <= 65535 {
			return p + 10000
		}
		return 0
	}
	out := map[string]Target{
		FlipAPI: {Name: FlipAPI, RemotePort: o.APIPort, LocalPort: local(o.APIPort), URL: "http://%s/api/docs",
			Note: "health at /api/health; the API still wants a Cognito token"},
	}
	if o.FLPort > 0 {
		out[FLServer] = Target{Name: FLServer, RemotePort: o.FLPort, LocalPort: local(o.FLPort), URL: "tcp://%s",
			Note: "the FL server speaks mutual TLS; clients must use its certificates"}
	}
	if o.DBHost != "" && o.DBPort > 0 {
		note := "TLS required; user and password are in the RDS master secret"
		if o.DBSecretARN != "" {
			note = "TLS required; user and password: aws secretsmanager get-secret-value --secret-id " + o.DBSecretARN
		}
		out[DB] = Target{Name: DB, RemoteHost: o.DBHost, RemotePort: o.DBPort, LocalPort: local(o.DBPort),
			URL: "postgres://%s/" + o.DBName + "?sslmode=require", Note: note}
	}
	return out
}

// Select picks the targets named (all of them, in a stable order, when names is empty), applying
// ports (name → local port) on top.
func Select(all map[string]Target, names []string, ports map[string]int) ([]Target, error) {
	if len(names) == 0 {
		for _, n := range append([]string{FlipAPI, FLServer, DB}, TrustNames...) {
			if _, ok := all[n]; ok {
				names = append(names, n)
			}
		}
	}
	for n := range ports {
		if _, ok := all[n]; !ok {
			return nil, fmt.Errorf("--port %s: no such service; want one of %s", n, known(all))
		}
	}
	var out []Target
	seen := map[string]bool{}
	for _, n := range names {
		t, ok := all[n]
		if !ok {
			return nil, fmt.Errorf("no service %q to forward; want one of %s", n, known(all))
		}
		if seen[n] {
			continue
		}
		seen[n] = true
		if p, ok := ports[n]; ok {
			t.LocalPort = p
		}
		out = append(out, t)
	}
	return out, nil
}

func known(all map[string]Target) string {
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
