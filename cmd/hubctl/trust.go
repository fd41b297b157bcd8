package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/deployed"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/registrar"
	"github.com/londonaicentre/flip-hub/trusts"
)

// trustFlags are the settings every trust command shares: how to reach the database.
type trustFlags struct {
	stack   stackFlags
	db      dbFlags
	timeout time.Duration
	// hashEnv is register's variable holding the hash, kept out of the session's environment.
	hashEnv string
	// destructive: the DSN comes from --dsn only (deregister --force).
	destructive bool
}

func newTrustCmd() *cobra.Command {
	var c trustFlags
	cmd := &cobra.Command{
		Use:   "trust",
		Short: "Register, deregister and list partner trusts in the hub database",
		Args:  cobra.NoArgs,
	}
	fs := cmd.PersistentFlags()
	c.stack.registerRead(cmd, fs, false)
	c.db.register(fs, true)
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "give up after this long")
	cmd.AddCommand(newTrustRegisterCmd(&c), newTrustDeregisterCmd(&c), newTrustListCmd(&c), newTrustPackageCmd(&c))
	return cmd
}

// dbCommand builds a trust command that works on the hub database: fn gets a registrar on it,
// under --timeout. It refuses positional arguments without echoing them (see noArgs).
func (c *trustFlags) dbCommand(use, short string, fn func(cmd *cobra.Command, ctx context.Context, r *registrar.Registrar) error) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: noArgs, RunE: func(cmd *cobra.Command, _ []string) error {
		return c.withDB(cmd, func(ctx context.Context, r *registrar.Registrar) error { return fn(cmd, ctx, r) })
	}}
}

func newTrustRegisterCmd(c *trustFlags) *cobra.Command {
	var (
		t         registrar.Trust
		hashEnv   string
		hashStdin bool
	)
	cmd := c.dbCommand("register --code C --name N [--trust-region R] [--hash-env VAR | --hash-stdin]",
		"Register a trust (idempotent), print {trustId, slotName, slotNumber} as one JSON line",
		func(cmd *cobra.Command, ctx context.Context, r *registrar.Registrar) error {
			res, err := r.Register(ctx, t)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "hubctl: trust %s %s (trust id %s, slot %s)\n", t.Code, res.Describe(), res.TrustID, res.SlotName)
			return trusts.Registration{TrustID: res.TrustID, SlotName: res.SlotName, SlotNumber: res.SlotNumber}.WriteLine(cmd.OutOrStdout())
		})
	// The name, region and hash are read before any connection: a missing one is a usage error.
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) (err error) {
		t.Name, t.Region = cmp.Or(t.Name, os.Getenv(trusts.EnvTrustName)), cmp.Or(t.Region, os.Getenv(trusts.EnvTrustRegion))
		if t.Name == "" {
			return outcome.Errorf(outcome.Usage, "no trust name: want --name or %s", trusts.EnvTrustName)
		}
		c.hashEnv = hashEnv
		t.APIKeyHash, err = trusts.ReadKeyHash(cmd.InOrStdin(), hashEnv, hashStdin)
		return err
	}
	cmd.Flags().StringVar(&t.Code, "code", "", "trust code, e.g. gstt")
	cmd.Flags().StringVar(&t.Name, "name", "", "trust name (env "+trusts.EnvTrustName+")")
	cmd.Flags().StringVar(&t.Region, "trust-region", "", "the trust's own region, e.g. London (env "+trusts.EnvTrustRegion+")")
	cmd.Flags().StringVar(&hashEnv, "hash-env", trusts.EnvAPIKeyHash, "environment variable holding the SHA-256 hex digest of the trust API key")
	cmd.Flags().BoolVar(&hashStdin, "hash-stdin", false, "read the digest from stdin instead")
	_ = cmd.MarkFlagRequired("code")
	return cmd
}

func newTrustDeregisterCmd(c *trustFlags) *cobra.Command {
	var (
		code  string
		force bool
	)
	cmd := c.dbCommand("deregister --code C [--force]", "Remove a trust and free its FL kit slot (a trust that is not registered is a no-op)",
		func(cmd *cobra.Command, ctx context.Context, r *registrar.Registrar) error {
			res, err := r.Deregister(ctx, code, force)
			if err != nil {
				return err
			}
			return res.WriteText(cmd.OutOrStdout(), code)
		})
	// --force deletes other tables' rows: like reset-schema, it takes a DSN from --dsn only,
	// never one left in the environment for another hub.
	cmd.PreRun = func(*cobra.Command, []string) { c.destructive = force }
	cmd.Flags().StringVar(&code, "code", "", "trust code, e.g. gstt")
	cmd.Flags().BoolVar(&force, "force", false, "also delete rows of other tables that still reference the trust")
	_ = cmd.MarkFlagRequired("code")
	return cmd
}

func newTrustListCmd(c *trustFlags) *cobra.Command {
	var asJSON bool
	cmd := c.dbCommand("list [--json]", "List registered trusts with their FL kit slots (never their key hashes)",
		func(cmd *cobra.Command, ctx context.Context, r *registrar.Registrar) error {
			regs, err := r.List(ctx)
			if err != nil {
				return err
			}
			return registrar.WriteList(cmd.OutOrStdout(), regs, asJSON)
		})
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

// withDB runs fn with a registrar on the hub database, bounded by --timeout.
func (c *trustFlags) withDB(cmd *cobra.Command, fn func(ctx context.Context, r *registrar.Registrar) error) error {
	ctx, cancel := context.WithTimeout(cmd.Context(), c.timeout)
	defer cancel()
	var h *deployed.Hub
	if c.stack.stack != "" {
		if c.db.s.DSN != "" {
			return outcome.Wrap(outcome.Usage, errors.New("--stack and --dsn both say where the database is; give one"))
		}
		var err error
		if h, err = c.stack.load(cmd, false); err != nil {
			return err
		}
	}
	s, err := c.db.settings(h, c.stack.region, !c.destructive, c.stack.log(cmd))
	if err != nil {
		return err
	}
	if err := s.RequireTunnel(dbSources); err != nil {
		return err
	}
	// The session process needs AWS credentials, never the key hash.
	s.DropEnv = []string{trusts.EnvAPIKeyHash}
	if c.hashEnv != "" {
		s.DropEnv = append(s.DropEnv, c.hashEnv)
	}
	return registrar.With(ctx, s, fn)
}

// noArgs refuses positional arguments without echoing them: the one thing an operator might
// wrongly pass here is the key hash.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return outcome.Wrap(outcome.Usage, fmt.Errorf("%s takes no positional arguments (%d given, not shown); the key hash comes from --hash-env or --hash-stdin", cmd.CommandPath(), len(args)))
	}
	return nil
}

func newTrustPackageCmd(c *trustFlags) *cobra.Command {
	var kits, out string
	cmd := &cobra.Command{
		Use:   "package CODE --stack S [--out DIR]",
		Short: "Write one trust's complete on-prem kit (env kit, its slot's FL material, SHA-256 manifest) as one archive",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if c.stack.stack == "" {
				return outcome.Wrap(outcome.Usage, errors.New("trust package: --stack is required"))
			}
			h, err := c.stack.load(cmd, true)
			if err != nil {
				return err
			}
			res, err := h.TrustPackage(cmd.Context(), args[0], kits, out)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s (%d files, sha256 %s)\n", res.Path, res.FileCount, res.SHA256)
			return err
		},
	}
	cmd.Flags().StringVar(&kits, "kits", "trust", "directory of the kit files (`hubctl kits`), whose operator lines are kept")
	cmd.Flags().StringVar(&out, "out", "trust-packages", "directory to write the archive in (created 0700)")
	return cmd
}
