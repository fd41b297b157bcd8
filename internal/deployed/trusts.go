package deployed

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/internal/registrar"
	"github.com/londonaicentre/flip-hub/trusts"
)

// Trusts are the stack's trusts as they were last registered: names and regions from the stack
// config in dir, key hashes, ids and FL kit slots from the secret `trusts` output (so h must be
// loaded with Secrets). They are ordered by their slot number, so registering them again in this
// order gives each its slot back. The config's environment comes with them.
func (h *Hub) Trusts(dir string) ([]registrar.Trust, config.Environment, error) {
	raw, err := plan.LoadStackConfig(dir, h.Name)
	if err != nil {
		return nil, "", outcome.Wrap(outcome.Usage, fmt.Errorf("stack config: %w", err))
	}
	cfg, err := config.Parse(h.Name, config.MapSource(raw.Values))
	if err != nil {
		return nil, "", outcome.Wrap(outcome.Usage, fmt.Errorf("stack config of %s: %w", h.Name, err))
	}
	if h.IsMasked(&hub.Out.Trusts) {
		return nil, "", outcome.Wrap(outcome.Usage, errors.New("the trusts output is masked: the outputs file must come from `hubctl outputs --show-secrets`"))
	}
	type prior struct {
		t    registrar.Trust
		slot int
	}
	var list []prior
	var missing []string
	for _, t := range cfg.Trusts {
		entry := h.Out.Trusts[t.Code]
		hash, _ := entry[trusts.KeyAPIKeyHash].(string)
		if hash == "" {
			missing = append(missing, t.Code)
			continue
		}
		p := prior{t: registrar.Trust{Code: t.Code, Name: t.Name, Region: t.Region, APIKeyHash: hash}}
		p.t.ID, _ = entry[trusts.KeyTrustID].(string)
		p.t.Slot, _ = entry[trusts.KeySlotName].(string)
		switch n := entry[trusts.KeySlotNumber].(type) {
		case float64:
			p.slot = int(n)
		case string:
			p.slot, _ = strconv.Atoi(n)
		}
		list = append(list, p)
	}
	if len(missing) > 0 {
		return nil, "", outcome.Errorf(outcome.Failed, "trust(s) %s have no key hash in the stack's trusts output: "+
			"run `hubctl up` first so every trust in the config has its keys", strings.Join(missing, ", "))
	}
	// Trusts with a slot first, by slot number; those without keep the config's order.
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i].slot, list[j].slot
		if a > 0 && b > 0 {
			return a < b
		}
		return a > 0 && b == 0
	})
	out := make([]registrar.Trust, len(list))
	for i, p := range list {
		out[i] = p.t
	}
	return out, cfg.Environment, nil
}
