package schemareset

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/londonaicentre/flip-hub/internal/registrar"
)

// ErrRefused is matched by every error that stops the reset before anything was changed: a wrong or
// missing confirmation, or a snapshot that does not qualify.
var ErrRefused = errors.New("schema reset refused")

// Defaults for zero Options fields.
const (
	DefaultSnapshotMaxAge  = time.Hour
	DefaultSnapshotTimeout = time.Hour
	DefaultSnapshotPoll    = 30 * time.Second
	DefaultTablesTimeout   = 5 * time.Minute
	DefaultTablesPoll      = 2 * time.Second
	DefaultLockTimeout     = 30 * time.Second
)

// Tables are the tables flip-api creates at start that the registrar needs.
var Tables = []string{"trust", "fl_kit_slot", "trusts_audit"}

// DB is what the reset needs from a database connection: transactions (for the drop, and for the
// registrar), single-row queries, and Close. *pgx.Conn and *dbtunnel.Conn satisfy it.
type DB interface {
	registrar.DB
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Close(ctx context.Context) error
}

// Connector opens the connection to the hub database (through the SSM tunnel, or directly in tests).
type Connector func(ctx context.Context) (DB, error)

// Options describe one reset.
type Options struct {
	// Stack is the stack name the operator must type back.
	Stack string
	// Prod makes a verified snapshot mandatory.
	Prod bool
	// DBInstanceID is the RDS instance (stack output dbInstanceId).
	DBInstanceID string
	// DBName is the stack's database (stack output dbName): the reset refuses to drop any other.
	DBName string
	// Target says, in the confirmation, where the connection goes: "database flip at <host>".
	Target string
	// Snapshot names an existing manual snapshot to rely on instead of taking one.
	Snapshot string
	// TakeSnapshot takes a snapshot on a non-production hub too.
	TakeSnapshot bool
	// Confirm is the --yes-i-understand value; it must equal Stack. Empty means ask on Prompt.
	Confirm string
	// Prompt is where the typed-back stack name is read from when Confirm is empty.
	Prompt io.Reader
	// DryRun says what would be done, reads what it needs to say so, and changes nothing.
	DryRun bool
	// Trusts are re-registered, in this order, once flip-api has recreated its tables. Order them by
	// their previous slot number so each gets its old FL kit slot back.
	Trusts []registrar.Trust
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Out receives progress and the prompt.
	Out io.Writer
	// Heartbeat, when a terminal, shows the elapsed time of the snapshot and table waits.
	Heartbeat io.Writer

	SnapshotMaxAge  time.Duration
	SnapshotTimeout time.Duration
	SnapshotPoll    time.Duration
	TablesTimeout   time.Duration
	TablesPoll      time.Duration
	// LockTimeout bounds the wait for flip-api's locks before the drop gives up.
	LockTimeout time.Duration
}

// Deps are the outside world.
type Deps struct {
	RDS     RDSAPI
	Connect Connector
	// RestartAPI restarts flip-api on the hub host (an SSM command in hubctl).
	RestartAPI func(ctx context.Context) error
}

// Registered is one trust registered again after the reset.
type Registered struct {
	Code string
	registrar.Result
}

// Result says what a reset did.
type Result struct {
	// Snapshot is the snapshot the reset relied on ("" when none was needed).
	Snapshot string
	// SnapshotTaken is true when the reset took it itself.
	SnapshotTaken bool
	// Database is the database whose schema was recreated.
	Database string
	// Registered lists the trusts registered again, in order.
	Registered []Registered
	// Steps is the plan (what a dry run reports).
	Steps []string
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Out == nil {
		o.Out = io.Discard
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.SnapshotMaxAge, DefaultSnapshotMaxAge)
	def(&o.SnapshotTimeout, DefaultSnapshotTimeout)
	def(&o.SnapshotPoll, DefaultSnapshotPoll)
	def(&o.TablesTimeout, DefaultTablesTimeout)
	def(&o.TablesPoll, DefaultTablesPoll)
	def(&o.LockTimeout, DefaultLockTimeout)
}

func (o *Options) needsSnapshot() bool { return o.Prod || o.TakeSnapshot || o.Snapshot != "" }

func (o *Options) validate(d Deps) error {
	switch {
	case strings.TrimSpace(o.Stack) == "":
		return errors.New("schema reset: no stack name")
	case o.needsSnapshot() && o.DBInstanceID == "":
		return errors.New("schema reset: no RDS instance id (stack output dbInstanceId) to snapshot")
	case o.needsSnapshot() && d.RDS == nil:
		return errors.New("schema reset: no RDS client")
	case d.Connect == nil || d.RestartAPI == nil:
		return errors.New("schema reset: no database connector or flip-api restarter")
	}
	return nil
}

// Plan lists the steps a reset with these options takes, for --dry-run and for the prompt.
func Plan(o Options) []string {
	o.defaults()
	var steps []string
	switch {
	case o.Snapshot != "":
		steps = append(steps, fmt.Sprintf("rely on manual snapshot %s of %s (verified: available, taken within %s)", o.Snapshot, o.DBInstanceID, o.SnapshotMaxAge))
	case o.Prod || o.TakeSnapshot:
		steps = append(steps, fmt.Sprintf("take a manual snapshot of RDS instance %s and wait until it is available", o.DBInstanceID))
	default:
		steps = append(steps, "take no snapshot (not a production hub; --take-snapshot would)")
	}
	steps = append(steps,
		fmt.Sprintf("ask for the stack name %q typed back (or --yes-i-understand %s)", o.Stack, o.Stack),
		"in one transaction: DROP SCHEMA public CASCADE; CREATE SCHEMA public; restore the schema's grants and extensions",
		"restart flip-api on the hub host (docker compose restart flip-api) so it recreates its tables and seeds the kit-slot pool",
		fmt.Sprintf("wait up to %s for tables %s", o.TablesTimeout, strings.Join(Tables, ", ")),
	)
	if len(o.Trusts) == 0 {
		steps = append(steps, "register no trust (the stack has none)")
	}
	for _, t := range o.Trusts {
		steps = append(steps, fmt.Sprintf("register trust %s (%s) again", t.Code, t.Name))
	}
	return steps
}

// Run carries out the reset. It returns an error matching ErrRefused, with nothing changed, when a
// guard refuses.
//
// A named Options.Snapshot is verified first: manual, of this instance, available, and created
// within SnapshotMaxAge (an hour by default). After the confirmation (the stack name typed back, or
// Options.Confirm from --yes-i-understand), a production hub or Options.TakeSnapshot takes a manual
// snapshot and waits until it is available. Only then does Run execute DROP SCHEMA public CASCADE;
// CREATE SCHEMA public; in one transaction, restart flip-api so that it recreates its tables and
// seeds the FL kit-slot pool, wait for Tables, and register every trust again with the registrar,
// which receives only key hashes. A dry run reads what it needs and changes nothing.
func Run(ctx context.Context, o Options, d Deps) (Result, error) {
	o.defaults()
	if err := o.validate(d); err != nil {
		return Result{}, err
	}
	res := Result{Steps: Plan(o)}
	var snapTime time.Time
	if o.Snapshot != "" {
		t, err := verifySnapshot(ctx, d.RDS, o)
		if err != nil {
			return res, err
		}
		snapTime, res.Snapshot = t, o.Snapshot
		o.logf("snapshot %s of %s qualifies (taken %s ago)", o.Snapshot, o.DBInstanceID, o.Now().Sub(t).Round(time.Second))
	}
	if o.DryRun {
		o.logf("dry run: nothing will be changed. A reset of %s would:", o.Stack)
		for i, s := range res.Steps {
			o.logf("  %d. %s", i+1, s)
		}
		return res, nil
	}
	if err := confirm(ctx, o); err != nil {
		return res, err
	}
	if o.Snapshot == "" && (o.Prod || o.TakeSnapshot) {
		id, t, err := takeSnapshot(ctx, d.RDS, o)
		if err != nil {
			return res, err
		}
		snapTime, res.Snapshot, res.SnapshotTaken = t, id, true
	}
	if res.Snapshot != "" && o.Now().Sub(snapTime) > o.SnapshotMaxAge {
		return res, fmt.Errorf("%w: snapshot %s is now older than %s; take a fresh one", ErrRefused, res.Snapshot, o.SnapshotMaxAge)
	}

	db, err := d.Connect(ctx)
	if err != nil {
		return res, fmt.Errorf("connect to the hub database: %w", err)
	}
	defer func() { _ = db.Close(context.WithoutCancel(ctx)) }()
	if res.Database, err = recreate(ctx, db, o); err != nil {
		return res, err
	}
	o.logf("schema public of database %s recreated", res.Database)

	o.logf("restarting flip-api")
	if err := d.RestartAPI(ctx); err != nil {
		return res, fmt.Errorf("schema recreated, but restarting flip-api failed (restart it by hand, then register the trusts "+
			"with `hubctl trust register`): %w", err)
	}
	if err := waitTables(ctx, db, o); err != nil {
		return res, err
	}
	reg := registrar.New(db)
	for _, t := range o.Trusts {
		r, err := reg.Register(ctx, t)
		if err != nil {
			left := codesFrom(o.Trusts, t.Code)
			return res, fmt.Errorf("re-register trusts: %w; still to register: %s (hubctl trust register --code …)", err, strings.Join(left, ", "))
		}
		res.Registered = append(res.Registered, Registered{Code: t.Code, Result: r})
		o.logf("trust %s registered: id %s, slot %s (%d)", t.Code, r.TrustID, r.SlotName, r.SlotNumber)
	}
	return res, nil
}

func codesFrom(ts []registrar.Trust, from string) []string {
	var out []string
	seen := false
	for _, t := range ts {
		if t.Code == from {
			seen = true
		}
		if seen {
			out = append(out, t.Code)
		}
	}
	return out
}

// confirm accepts the reset only when the stack name was given with --yes-i-understand or typed back.
// An interrupt (ctx ending) while it waits for the answer refuses.
func confirm(ctx context.Context, o Options) error {
	if o.Confirm != "" {
		if o.Confirm != o.Stack {
			return fmt.Errorf("%w: --yes-i-understand %q does not name this stack (%s)", ErrRefused, o.Confirm, o.Stack)
		}
		return nil
	}
	if o.Prompt == nil {
		return fmt.Errorf("%w: no confirmation; type the stack name at the prompt or pass --yes-i-understand %s", ErrRefused, o.Stack)
	}
	fmt.Fprintf(o.Out, "This drops every table of the %s hub database (%s) and re-registers its trusts:\n", o.Stack, o.Target)
	for i, s := range Plan(o) {
		fmt.Fprintf(o.Out, "  %d. %s\n", i+1, s)
	}
	fmt.Fprintf(o.Out, "Type the stack name (%s) to go on: ", o.Stack)
	type answer struct {
		line string
		err  error
	}
	got := make(chan answer, 1)
	go func() {
		line, err := bufio.NewReader(o.Prompt).ReadString('\n')
		got <- answer{line, err}
	}()
	var a answer
	select {
	case <-ctx.Done():
		fmt.Fprintln(o.Out)
		return fmt.Errorf("%w: interrupted at the confirmation: %w", ErrRefused, ctx.Err())
	case a = <-got:
	}
	if a.err != nil && !errors.Is(a.err, io.EOF) {
		return fmt.Errorf("%w: read confirmation: %w", ErrRefused, a.err)
	}
	if strings.TrimSpace(a.line) != o.Stack {
		return fmt.Errorf("%w: the confirmation did not match the stack name %s", ErrRefused, o.Stack)
	}
	return nil
}

func (o *Options) logf(format string, args ...any) {
	fmt.Fprintf(o.Out, format+"\n", args...)
}
