package adopt

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"go.yaml.in/yaml/v3"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/registrar"
)

// RegisteredTrust is a trust of the adopted hub's registry, as the stack's trust list needs it.
type RegisteredTrust struct {
	Code, Name, Region string
}

// keyFLKitSlotNames is flip-hub:fl.kitSlotNames.
const keyFLKitSlotNames = config.KeyFL + ".kitSlotNames"

// ReadRegistry reads the trust registry of the hub being adopted (flip-api's trust and
// fl_kit_slot tables, read-only): each trust with a code joins Trusts, the slot pool (by slot
// number) becomes fl.kitSlotNames, since a restored database keeps each trust's slot. A trust
// without a code (made by older flip-api code) is named in a warning for the operator to add.
func (f *Findings) ReadRegistry(ctx context.Context, dsn string) error {
	pool, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	defer pool.Close()
	trusts, err := registrar.New(pool).List(ctx)
	if err != nil {
		return fmt.Errorf("registry: %w", err)
	}
	for _, t := range trusts {
		if t.Code == "" {
			f.Warnings = append(f.Warnings, fmt.Sprintf("registered trust %q has no code: add it to %s by hand with the code its kit uses", t.Name, config.KeyTrusts))
			continue
		}
		f.Trusts = append(f.Trusts, RegisteredTrust{Code: t.Code, Name: t.Name, Region: t.Region})
	}
	rows, err := pool.Query(ctx, `SELECT slot_name FROM fl_kit_slot ORDER BY slot_number, slot_name`)
	if err != nil {
		return fmt.Errorf("registry: kit slots: %w", err)
	}
	slots, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return fmt.Errorf("registry: kit slots: %w", err)
	}
	if len(slots) > 0 {
		f.Settings = append(f.Settings, Setting{Key: keyFLKitSlotNames, Value: slots, From: "the registry's fl_kit_slot pool"})
	}
	if len(f.Trusts) > 0 {
		f.Steps = append(f.Steps, fmt.Sprintf(
			"%d registered trusts were added to %s: give each its egressCidrs (the networks its FL client connects from; config refuses the stack until then). "+
				"flip-hub mints its own trust keys and registers each trust again by name at the first up (after the database copy): every trust then needs its new package (hubctl trust package CODE).",
			len(f.Trusts), config.KeyTrusts))
	}
	return nil
}

// applyTrusts appends the registry's trusts the stack file does not list yet (by code), each
// with an empty egressCidrs to fill in; entries already there are left as they are.
func applyTrusts(cfg *yaml.Node, trusts []RegisteredTrust) error {
	if len(trusts) == 0 {
		return nil
	}
	_, list := lookup(cfg, config.KeyTrusts)
	if list == nil {
		cfg.Content = append(cfg.Content, scalar(config.KeyTrusts), &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"})
		_, list = lookup(cfg, config.KeyTrusts)
	}
	if list.Kind != yaml.SequenceNode {
		return fmt.Errorf("%s: want a list of trusts, found %s", config.KeyTrusts, kindName(list))
	}
	have := map[string]bool{}
	for _, item := range list.Content {
		if _, code := lookup(item, "code"); code != nil {
			have[code.Value] = true
		}
	}
	for _, t := range trusts {
		if have[t.Code] {
			continue
		}
		entry := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		for _, kv := range [][2]string{{"code", t.Code}, {"name", t.Name}, {"region", t.Region}} {
			if kv[1] != "" {
				entry.Content = append(entry.Content, scalar(kv[0]), scalar(kv[1]))
			}
		}
		cidrs := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle,
			LineComment: "from the registry: fill in the trust's egress networks (or hosting: aws)"}
		entry.Content = append(entry.Content, scalar("egressCidrs"), cidrs)
		list.Content = append(list.Content, entry)
		have[t.Code] = true
	}
	return nil
}
