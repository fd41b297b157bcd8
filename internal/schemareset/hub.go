package schemareset

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/internal/dbtunnel"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/deployed"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

// ForHub resets the schema of a deployed hub and reports on o.Out: the stack's trusts with their
// last registrations (from the stack config in dir and h's secret outputs, so h must be loaded
// with secrets), its prod decision, the database db reaches (a DSN must reach the stack's
// database), and flip-api restarted over SSM on its host. log receives the SSM command's output.
// Errors carry their outcome: refused by a guard, usage, or failed.
func ForHub(ctx context.Context, h *deployed.Hub, dir string, db dbtunnel.Settings, o Options, log io.Writer) error {
	ts, env, err := h.Trusts(dir)
	if err != nil {
		return err
	}
	prod, err := h.Prod(ctx)
	if err != nil {
		return err
	}
	o.Prod = prod || env == config.Prod
	o.Stack, o.DBInstanceID, o.DBName, o.Trusts = h.Name, h.Out.DBInstanceID, h.Out.DBName, ts
	if o.Target, err = db.Target(h.Out.DBAddress); err != nil {
		return err
	}
	ssmc := ssm.NewFromConfig(h.AWS)
	deps := Deps{
		RDS:     rds.NewFromConfig(h.AWS),
		Connect: func(ctx context.Context) (DB, error) { return db.Open(ctx) },
		RestartAPI: func(ctx context.Context) error {
			if h.Out.HubInstanceID == "" {
				return errors.New("stack output hubInstanceId missing")
			}
			r := &ssmrun.Runner{API: ssmc, Timeout: 5 * time.Minute, Out: log}
			_, err := r.Run(ctx, h.Out.HubInstanceID, ssmrun.Script(deploy.RestartFlipAPICommand()),
				ssmrun.Options{Comment: "hubctl db reset-schema: restart flip-api", ExecutionTimeout: 5 * time.Minute})
			return err
		},
	}
	res, err := Run(ctx, o, deps)
	if errors.Is(err, ErrRefused) {
		return outcome.Wrap(outcome.Refused, fmt.Errorf("db reset-schema: %w", err))
	}
	if err != nil {
		return outcome.Wrap(outcome.Failed, fmt.Errorf("db reset-schema: %w", err))
	}
	if o.DryRun {
		return nil
	}
	return Report(o.Out, o, res)
}
