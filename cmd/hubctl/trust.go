package main

import (
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
	c.stack.registerRead(cmd, fs, "aws-region", false)
	c.db.register(fs, true)
	fs.DurationVar(&c.timeout, "timeout", 10*time.Minute, "give up after this long")
	cmd.AddCommand(newTrustRegisterCmd(&c), newTrustDeregisterCmd(&c), newTrustListCmd(&c))
	return cmd
}

func newTrustRegisterCmd(c *trustFlags) *cobra.Command {
	var (
		code, name, region string
		hashEnv            string
		hashStdin          bool
	)
	cmd := &cobra.Command{
		Use:   "register --code C --name N [--region R] [--hash-env VAR | --hash-stdin]",
		Short: "Register a trust (idempotent), print {trustId, slotName, slotNumber} as one JSON line",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if name == "" {
				name = os.Getenv(trusts.EnvTrustName)
			}
			if region == "" {
				region = os.Getenv(trusts.EnvTrustRegion)
			}
			if name == "" {
				return outcome.Wrap(outcome.Usage, fmt.Errorf("no trust name: want --name or %s", trusts.EnvTrustName))
			}
			hash, err := trusts.ReadKeyHash(cmd.InOrStdin(), hashEnv, hashStdin)
			if err != nil {
				return err
			}
			c.hashEnv = hashEnv
			return c.withDB(cmd, func(ctx context.Context, r *registrar.Registrar) error {
				res, err := r.Register(ctx, registrar.Trust{Code: code, Name: name, Region: region, APIKeyHash: hash})
				if err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "hubctl: trust %s %s (trust id %s, slot %s)\n", code, res.Describe(), res.TrustID, res.SlotName)
				return trusts.Registration{TrustID: res.TrustID, SlotName: res.SlotName, SlotNumber: res.SlotNumber}.WriteLine(cmd.OutOrStdout())
			})
		},
	}
	cmd.Flags().StringVar(&code, "code", "", "trust code, e.g. gstt")
	cmd.Flags().StringVar(&name, "name", "", "trust name (env "+trusts.EnvTrustName+")")
	cmd.Flags().StringVar(&region, "region", "", "trust region, e.g. London (env "+trusts.EnvTrustRegion+")")
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
	cmd := &cobra.Command{
		Use:   "deregister --code C [--force]",
		Short: "Remove a trust and free its FL kit slot (a trust that is not registered is a no-op)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// --force deletes other tables' rows: like reset-schema, it takes a DSN from --dsn
			// only, never one left in the environment for another hub.
			c.destructive = force
			return c.withDB(cmd, func(ctx context.Context, r *registrar.Registrar) error {
				res, err := r.Deregister(ctx, code, force)
				if err != nil {
					return err
				}
				return res.WriteText(cmd.OutOrStdout(), code)
			})
		},
	}
	cmd.Flags().StringVar(&code, "code", "", "trust code, e.g. gstt")
	cmd.Flags().BoolVar(&force, "force", false, "also delete rows of other tables that still reference the trust")
	_ = cmd.MarkFlagRequired("code")
	return cmd
}

func newTrustListCmd(c *trustFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list [--json]",
		Short: "List registered trusts with their FL kit slots (never their key hashes)",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return c.withDB(cmd, func(ctx context.Context, r *registrar.Registrar) error {
				regs, err := r.List(ctx)
				if err != nil {
					return err
				}
				return registrar.WriteList(cmd.OutOrStdout(), regs, asJSON)
			})
		},
	}
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
