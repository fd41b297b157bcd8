package clihelp

import (
	"bufio"
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"text/template"

	"github.com/spf13/cobra"
)

//go:embed help.txt
var helpText string

// Section is one command's help: its long text and its example lines, and for a top-level
// command the ID of its group in the root's help.
type Section struct {
	Long, Example, Group string
}

// Group is a group of top-level commands in the root's help, in the order help.txt declares it.
type Group struct{ ID, Title string }

// Parse reads help.txt's groups and its sections by command path (without the root command's
// name), rendering {{.Name}} fields from data.
func Parse(data map[string]string) ([]Group, map[string]Section, error) {
	rendered := new(strings.Builder)
	t, err := template.New("help").Option("missingkey=error").Parse(helpText)
	if err != nil {
		return nil, nil, fmt.Errorf("help text: %w", err)
	}
	if err := t.Execute(rendered, data); err != nil {
		return nil, nil, fmt.Errorf("help text: %w", err)
	}
	out := map[string]Section{}
	var (
		groups        []Group
		name, group   string
		long, example []string
		inExample     bool
	)
	flush := func() {
		if name != "" {
			out[name] = Section{Long: strings.TrimSpace(strings.Join(long, "\n")),
				Example: strings.TrimRight(strings.Join(example, "\n"), "\n "), Group: group}
		}
		long, example, inExample, group = nil, nil, false, ""
	}
	sc := bufio.NewScanner(strings.NewReader(rendered.String()))
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "## "):
			flush()
			name = strings.TrimSpace(strings.TrimPrefix(line, "## "))
			if _, dup := out[name]; dup {
				return nil, nil, fmt.Errorf("help text: section %q twice", name)
			}
		case strings.HasPrefix(line, "@group "):
			id, title, _ := strings.Cut(strings.TrimPrefix(line, "@group "), " ")
			if name == "" {
				groups = append(groups, Group{ID: id, Title: title})
			} else {
				group = id
			}
		case line == "### example":
			inExample = true
		case name == "" && (line == "" || strings.HasPrefix(line, "# ")):
		case name == "":
			return nil, nil, fmt.Errorf("help text: %q outside a section", line)
		case inExample:
			example = append(example, line)
		default:
			long = append(long, line)
		}
	}
	flush()
	return groups, out, sc.Err()
}

// Apply sets Long and Example of every command under root (root itself excepted) from help.txt,
// adds its groups to root and files each top-level command under its group. It fails when a
// command has no section, a section no long text or example, a top-level command no known group,
// or a section names no command.
func Apply(root *cobra.Command, data map[string]string) error {
	groups, sections, err := Parse(data)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, g := range groups {
		root.AddGroup(&cobra.Group{ID: g.ID, Title: g.Title})
		known[g.ID] = true
	}
	used := map[string]bool{}
	var missing []string
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			if sub.Hidden || sub.Name() == "help" || sub.Name() == "completion" {
				continue
			}
			path := strings.TrimPrefix(sub.CommandPath(), root.Name()+" ")
			s, ok := sections[path]
			if !ok || s.Long == "" || s.Example == "" || (c == root && !known[s.Group]) {
				missing = append(missing, path)
			} else {
				sub.Long, sub.Example = s.Long, s.Example
				if c == root {
					sub.GroupID = s.Group
				}
				used[path] = true
			}
			walk(sub)
		}
	}
	walk(root)
	var stale []string
	for name := range sections {
		if !used[name] {
			stale = append(stale, name)
		}
	}
	sort.Strings(stale)
	switch {
	case len(missing) > 0:
		return fmt.Errorf("help text: no long help, example or (for a top-level command) known group for %s", strings.Join(missing, ", "))
	case len(stale) > 0:
		return fmt.Errorf("help text: sections for no command: %s", strings.Join(stale, ", "))
	}
	return nil
}
