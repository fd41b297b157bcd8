package main

import (
	"context"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/outcome"
)

// exitUsage is the exit code of a command line that could not be understood.
const exitUsage = int(outcome.Usage)

func TestExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		args []string
		want int
	}{
		{"unknown flag is a usage error", []string{"plan", "--stack", "stag", "--bogus"}, 2},
		{"missing required stack", []string{"plan"}, 2},
		{"unknown command", []string{"deploy-everything"}, 2},
		{"unknown subcommand of a group", []string{"trust", "bogus"}, 2},
		{"unknown subcommand of a nested group", []string{"db", "reset-everything"}, 2},
		{"missing required flag of a subcommand", []string{"trust", "deregister"}, 2},
		{"a group alone shows its help", []string{"trust"}, 0},
		{"no command shows the help", []string{}, 0},
		{"stray argument", []string{"plan", "--stack", "stag", "extra"}, 2},
		{"stack without a config file", []string{"--dir", "../..", "plan", "--stack", "qa"}, 1},
		{"offline plan of stag", []string{"--dir", "../..", "plan", "--stack", "stag"}, 0},
		{"destroy of a stack without a file is a usage error", []string{"--dir", "../..", "destroy", "--stack", "qa"}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := run(context.Background(), tc.args); got != tc.want {
				t.Fatalf("hubctl %v exited %d; want %d", tc.args, got, tc.want)
			}
		})
	}
}

// TestEveryCommandHasAGroup: `hubctl --help` lists each command under its group, so a new
// command must be given one.
func TestEveryCommandHasAGroup(t *testing.T) {
	t.Parallel()
	for _, c := range newRoot().Commands() {
		if c.GroupID == "" {
			t.Errorf("command %s has no help group; add an @group line to its section in internal/clihelp/help.txt", c.Name())
		}
	}
}
