package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/londonaicentre/flip-hub/internal/clihelp"
)

// TestHelp: every command has long help and an example from the help text, every section of the
// text names a real command, and the text's fields are filled (no "{{" left, no "<no value>").
func TestHelp(t *testing.T) {
	root := newRoot()
	if err := clihelp.Apply(root, helpData); err != nil {
		t.Fatal(err)
	}
	for _, c := range allCommands(root) {
		for _, text := range []string{c.Long, c.Example} {
			if text == "" || strings.Contains(text, "{{") || strings.Contains(text, "<no value>") {
				t.Errorf("%s: help %q", c.CommandPath(), text)
			}
		}
		if !strings.Contains(c.Example, "hubctl "+strings.TrimPrefix(c.CommandPath(), "hubctl ")) && c.HasParent() && !c.HasSubCommands() {
			t.Errorf("%s: no example runs it:\n%s", c.CommandPath(), c.Example)
		}
	}
}

// allCommands lists every command under root except cobra's own help and completion.
func allCommands(root *cobra.Command) []*cobra.Command {
	var out []*cobra.Command
	for _, c := range root.Commands() {
		if c.Name() == "help" || c.Name() == "completion" {
			continue
		}
		out = append(out, c)
		out = append(out, allCommands(c)...)
	}
	return out
}
