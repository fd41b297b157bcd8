package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/plan"
	"github.com/londonaicentre/flip-hub/internal/registrar"
	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/internal/schemareset"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
	"github.com/londonaicentre/flip-hub/trusts"
)

func newDBCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "db",
		Short: "Operate on the hub database",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newResetSchemaCmd())
	return cmd
}

func newResetSchemaCmd() *cobra.Command {
	var (
		f  day2Flags
		db dbFlagsDay2
		o  schemareset.Options
	)
	cmd := &cobra.Command{
		Use:   "reset-schema --stack S",
		Short: "Recreate the hub database schema (guarded: snapshot and confirmation first) and re-register every trust",
		Long: "The documented schema recreation for schema-changing FLIP releases: DROP SCHEMA public\n" +
			"CASCADE; CREATE SCHEMA public; in one transaction through the SSM tunnel, then a restart of\n" +
			"flip-api over SSM, a wait for its tables, and the registration of every trust again.\n\n" +
			"Guards: the stack name typed back at the prompt (or --yes-i-understand S); on prod a manual\n" +
			"RDS snapshot taken first and waited for, or --snapshot ID of one taken within the last hour.\n" +
			"--dry-run says what would happen and changes nothing.\n\n" +
			"Each trust is registered again with its previous id and FL kit slot, so kits stay valid.\n\n" +
			"Exit code 0 when done, 1 on failure, 2 for a bad command line, 4 when a guard refused.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runResetSchema(cmd, f, db, o) },
	}
	f.register(cmd)
	db.register(cmd)
	fl := cmd.Flags()
	fl.StringVar(&o.Snapshot, "snapshot", "", "rely on this manual RDS snapshot (taken within the last hour) instead of taking one")
	fl.BoolVar(&o.TakeSnapshot, "take-snapshot", false, "take a snapshot first on a non-production hub too")
	fl.StringVar(&o.Confirm, "yes-i-understand", "", "confirm without the prompt by naming the stack")
	fl.BoolVar(&o.DryRun, "dry-run", false, "say what would be done; change nothing")
	fl.DurationVar(&o.SnapshotTimeout, "snapshot-timeout", schemareset.DefaultSnapshotTimeout, "how long to wait for the snapshot to become available")
	fl.DurationVar(&o.TablesTimeout, "tables-timeout", schemareset.DefaultTablesTimeout, "how long to wait for flip-api to recreate its tables")
	fl.DurationVar(&o.SnapshotPoll, "snapshot-poll", schemareset.DefaultSnapshotPoll, "first delay between snapshot status calls")
	_ = fl.MarkHidden("snapshot-poll")
	return cmd
}

// stackTrust is one trust of the stack, with what the stack last recorded of its registration.
type stackTrust struct {
	trust      registrar.Trust
	oldID      string
	oldSlot    string
	oldSlotNum int
}

// stackTrusts reads the trusts from the stack config (names, regions) and the `trusts` output (key
// hashes and registrations), ordered by their previous slot number so each gets its slot back.
func stackTrusts(dir string, s *day2Stack) ([]stackTrust, config.Environment, error) {
	raw, err := plan.LoadStackConfig(dir, s.name)
	if err != nil {
		return nil, "", withCode(exitUsage, fmt.Errorf("stack config: %w", err))
	}
	cfg, err := config.Parse(s.name, config.MapSource(raw.Values))
	if err != nil {
		return nil, "", withCode(exitUsage, fmt.Errorf("stack config of %s: %w", s.name, err))
	}
	if s.isMasked(&hub.Out.Trusts) {
		return nil, "", withCode(exitUsage, errors.New("the trusts output is masked: the outputs file must come from `hubctl outputs --show-secrets`"))
	}
	var out []stackTrust
	var missing []string
	for _, t := range cfg.Trusts {
		entry := s.o.Trusts[t.Code]
		hash, _ := entry[trusts.KeyAPIKeyHash].(string)
		if hash == "" {
			missing = append(missing, t.Code)
			continue
		}
		st := stackTrust{trust: registrar.Trust{Code: t.Code, Name: t.Name, Region: t.Region, APIKeyHash: hash}}
		st.oldID, _ = entry[trusts.KeyTrustID].(string)
		st.oldSlot, _ = entry[trusts.KeySlotName].(string)
		// Registered again after a reset, the trust keeps its id and slot, so its kit stays true.
		st.trust.ID, st.trust.Slot = st.oldID, st.oldSlot
		switch n := entry[trusts.KeySlotNumber].(type) {
		case float64:
			st.oldSlotNum = int(n)
		case string:
			st.oldSlotNum, _ = strconv.Atoi(n)
		}
		out = append(out, st)
	}
	if len(missing) > 0 {
		return nil, "", withCode(int(release.Failed), fmt.Errorf("trust(s) %s have no key hash in the stack's trusts output: "+
			"run `hubctl up` first so every trust in the config has its keys", strings.Join(missing, ", ")))
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].oldSlotNum, out[j].oldSlotNum
		switch {
		case a > 0 && b > 0:
			return a < b
		default:
			return a > 0 && b == 0
		}
	})
	return out, cfg.Environment, nil
}

func runResetSchema(cmd *cobra.Command, f day2Flags, db dbFlagsDay2, o schemareset.Options) error {
	ctx := cmd.Context()
	s, err := f.load(cmd, true) // the trusts output is secret: it holds the key hashes
	if err != nil {
		return err
	}
	dir, _ := cmd.Flags().GetString("dir")
	ts, env, err := stackTrusts(dir, s)
	if err != nil {
		return err
	}
	prod, err := s.prod(ctx)
	if err != nil {
		return err
	}
	o.Prod = prod || env == config.Prod
	o.Stack, o.DBInstanceID, o.DBName = s.name, s.o.DBInstanceID, s.o.DBName
	db.explicitOnly = true
	o.Target, err = db.target(s)
	if err != nil {
		return err
	}
	o.Prompt, o.Out = cmd.InOrStdin(), cmd.OutOrStdout()
	for _, t := range ts {
		o.Trusts = append(o.Trusts, t.trust)
	}
	var log io.Writer
	if f.verbose {
		log = cmd.ErrOrStderr()
	}
	connect, err := db.connector(s, log)
	if err != nil {
		return err
	}
	instance := s.o.HubInstanceID
	ssmc := ssm.NewFromConfig(s.aws)
	deps := schemareset.Deps{
		RDS:     rds.NewFromConfig(s.aws),
		Connect: func(ctx context.Context) (schemareset.DB, error) { return connect(ctx) },
		RestartAPI: func(ctx context.Context) error {
			if instance == "" {
				return errors.New("stack output hubInstanceId missing")
			}
			r := &ssmrun.Runner{API: ssmc, Timeout: 5 * time.Minute, Out: log}
			_, err := r.Run(ctx, instance, ssmrun.Script(deploy.RestartFlipAPICommand()),
				ssmrun.Options{Comment: "hubctl db reset-schema: restart flip-api", ExecutionTimeout: 5 * time.Minute})
			return err
		},
	}
	res, err := schemareset.Run(ctx, o, deps)
	if errors.Is(err, schemareset.ErrRefused) {
		return withCode(int(release.Refused), fmt.Errorf("db reset-schema: %w", err))
	}
	if err != nil {
		return withCode(int(release.Failed), fmt.Errorf("db reset-schema: %w", err))
	}
	if o.DryRun {
		return nil
	}
	return reportReset(cmd.OutOrStdout(), s.name, ts, res)
}

// reportReset prints each trust's old and new registration, and what the operator must do about
// the changed ids (and any changed slot).
func reportReset(w io.Writer, stack string, ts []stackTrust, res schemareset.Result) error {
	fmt.Fprintf(w, "\nreset of %s done: schema of database %s recreated", stack, res.Database)
	if res.Snapshot != "" {
		fmt.Fprintf(w, " (snapshot %s)", res.Snapshot)
	}
	fmt.Fprintln(w)
	if len(res.Registered) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "TRUST\tOLD ID\tNEW ID\tOLD SLOT\tNEW SLOT")
	old := map[string]stackTrust{}
	for _, t := range ts {
		old[t.trust.Code] = t
	}
	var moved []string
	for _, r := range res.Registered {
		o := old[r.Code]
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Code, dashIfEmpty(o.oldID), r.TrustID, dashIfEmpty(o.oldSlot), r.SlotName)
		if (o.oldSlot != "" && o.oldSlot != r.SlotName) || (o.oldID != "" && o.oldID != r.TrustID) {
			moved = append(moved, r.Code)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(moved) > 0 {
		return withCode(int(release.Failed), fmt.Errorf("db reset-schema: trust(s) %s did not get their previous id and FL kit slot back; "+
			"run `hubctl up --stack %s` (the register commands record the new ones), then `hubctl kits --stack %s` and send those trusts their kits",
			strings.Join(moved, ", "), stack, stack))
	}
	fmt.Fprintln(w, "\nEvery trust kept its id and FL kit slot: the stack outputs and the trusts' kits stay valid.")
	return nil
}
