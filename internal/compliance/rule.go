package compliance

import (
	"path"
	"slices"
	"sort"
)

// Environments a rule is judged in.
const (
	Stag = "stag"
	Prod = "prod"
)

// Rule is one compliance check over resources of some types.
//
// Rules come from Checkov, Trivy, AWS Security Hub (Foundational Security Best Practices) and
// Pulumi AWSGuard, and cite their IDs in Sources. A relaxation for stag only is declared on the
// rule (StagRelaxed).
type Rule struct {
	// ID names the rule (also its policy name in the policy pack): lower-case words and
	// hyphens, unique.
	ID string
	// Sources cite where the rule comes from: Checkov ("CKV_AWS_16", "CKV2_AWS_60"),
	// Trivy ("AVD-AWS-0080"), Security Hub FSBP ("RDS.3") and AWSGuard
	// ("awsguard:rds-storage-encrypted").
	Sources []string
	// Title says what a passing resource looks like.
	Title string
	// Types are the resource type tokens the rule judges.
	Types []string
	// Stack marks a rule that reads other resources through the Context (a bucket and
	// its companions, a VPC and its flow log). The policy pack runs it as a stack
	// policy; the others run on each resource as it is registered.
	Stack bool
	// StagRelaxed, when set, says why stag may fail this rule: in stag a failure is
	// reported as Relaxed, not Failed.
	StagRelaxed string
	// Check returns the resource's problems; none means it passes.
	Check func(v View, c *Context) []string
}

// applies reports whether the rule judges resources of type typ.
func (r Rule) applies(typ string) bool { return slices.Contains(r.Types, typ) }

// Context is what a check may know besides the resource itself: the environment and,
// for stack rules, every other resource of the stack.
type Context struct {
	Env    string
	views  []View
	byType map[string][]int
	byURN  map[string]int
}

// NewContext indexes the views of one stack.
func NewContext(env string, views []View) *Context {
	c := &Context{Env: env, views: views, byType: map[string][]int{}, byURN: map[string]int{}}
	for i, v := range views {
		c.byType[v.Type] = append(c.byType[v.Type], i)
		if v.URN != "" {
			c.byURN[v.URN] = i
		}
	}
	return c
}

// ByType returns the resources of the given types, in stack order.
func (c *Context) ByType(types ...string) []View {
	var idx []int
	for _, t := range types {
		idx = append(idx, c.byType[t]...)
	}
	sort.Ints(idx)
	out := make([]View, 0, len(idx))
	for _, i := range idx {
		out = append(out, c.views[i])
	}
	return out
}

// ByURN returns the resource with a URN.
func (c *Context) ByURN(urn string) (View, bool) {
	i, ok := c.byURN[urn]
	if !ok {
		return View{}, false
	}
	return c.views[i], true
}

// Verdict is the outcome of a rule, for one resource or for the whole stack.
type Verdict string

// The verdicts, from worst to best for a rule's summary.
const (
	Fail          Verdict = "fail"
	Relaxed       Verdict = "relaxed"
	Excepted      Verdict = "excepted"
	Pass          Verdict = "pass"
	NotApplicable Verdict = "not-applicable"
)

// Exception lets one resource fail one rule, for a stated reason.
type Exception struct {
	Rule string `json:"rule"`
	// Type is the resource's type token; Name a path.Match pattern of its name.
	Type string `json:"type"`
	Name string `json:"name"`
	// Env limits the exception to one environment; empty means both.
	Env    string `json:"env,omitempty"`
	Reason string `json:"reason"`
}

func (e Exception) matches(rule string, v View, env string) bool {
	if e.Rule != rule || e.Type != v.Type || (e.Env != "" && e.Env != env) {
		return false
	}
	ok, err := path.Match(e.Name, v.Name)
	return err == nil && ok
}

// Finding is the verdict of one rule on one resource.
type Finding struct {
	URN      string   `json:"urn"`
	Type     string   `json:"type"`
	Name     string   `json:"name"`
	Verdict  Verdict  `json:"verdict"`
	Problems []string `json:"problems,omitempty"`
	// Reason explains an Excepted or Relaxed verdict.
	Reason string `json:"reason,omitempty"`
}

// Judge applies one rule to one resource: its check, then the exceptions, then the
// rule's stag relaxation. It is what both Evaluate and the policy pack call.
func Judge(r Rule, v View, c *Context, exceptions []Exception) Finding {
	f := Finding{URN: v.URN, Type: v.Type, Name: v.Name, Verdict: Pass}
	if !r.applies(v.Type) {
		f.Verdict = NotApplicable
		return f
	}
	f.Problems = r.Check(v, c)
	if len(f.Problems) == 0 {
		return f
	}
	for _, e := range exceptions {
		if e.matches(r.ID, v, c.Env) {
			f.Verdict, f.Reason = Excepted, e.Reason
			return f
		}
	}
	if r.StagRelaxed != "" && c.Env == Stag {
		f.Verdict, f.Reason = Relaxed, r.StagRelaxed
		return f
	}
	f.Verdict = Fail
	return f
}

// RuleResult is a rule's verdict over a whole stack.
type RuleResult struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Sources []string `json:"sources"`
	Verdict Verdict  `json:"verdict"`
	// Checked counts the resources the rule judged.
	Checked int `json:"checked"`
	// Findings are the resources that did not simply pass.
	Findings []Finding `json:"findings,omitempty"`
}

// Report is the outcome of a rule set over one stack.
type Report struct {
	Env   string       `json:"env"`
	Rules []RuleResult `json:"rules"`
	// UnusedExceptions matched no failing resource: stale entries to delete.
	UnusedExceptions []Exception `json:"unusedExceptions,omitempty"`
}

// Count returns how many rules have a verdict.
func (r Report) Count(v Verdict) int {
	n := 0
	for _, rr := range r.Rules {
		if rr.Verdict == v {
			n++
		}
	}
	return n
}

// Failed returns the rules that failed.
func (r Report) Failed() []RuleResult {
	var out []RuleResult
	for _, rr := range r.Rules {
		if rr.Verdict == Fail {
			out = append(out, rr)
		}
	}
	return out
}

// Rule returns the result of one rule.
func (r Report) Rule(id string) (RuleResult, bool) {
	for _, rr := range r.Rules {
		if rr.ID == id {
			return rr, true
		}
	}
	return RuleResult{}, false
}

// Evaluate runs the hub's rule set, with its exceptions, over one stack's resources.
//
// Tests and `hubctl plan` pass the graph recorded under mocks (through compliance/planview); the
// policy pack in the policy directory passes real provider values. The package imports only the
// standard library so that the policy pack linking it stays small.
func Evaluate(views []View, env string) Report {
	return EvaluateRules(Rules(), Exceptions, views, env)
}

// EvaluateRules runs rules with exceptions over one stack's resources. A rule judges
// every resource of its types; its verdict is the worst of theirs, or NotApplicable
// when the stack has none.
func EvaluateRules(rules []Rule, exceptions []Exception, views []View, env string) Report {
	c := NewContext(env, views)
	rep := Report{Env: env}
	used := make([]bool, len(exceptions))
	for _, r := range rules {
		rr := RuleResult{ID: r.ID, Title: r.Title, Sources: r.Sources, Verdict: NotApplicable}
		for _, v := range c.ByType(r.Types...) {
			f := Judge(r, v, c, exceptions)
			rr.Checked++
			if f.Verdict == Excepted {
				for i, e := range exceptions {
					if e.matches(r.ID, v, env) {
						used[i] = true
					}
				}
			}
			if f.Verdict != Pass {
				rr.Findings = append(rr.Findings, f)
			}
			if worse(f.Verdict, rr.Verdict) {
				rr.Verdict = f.Verdict
			}
		}
		rep.Rules = append(rep.Rules, rr)
	}
	for i, e := range exceptions {
		if !used[i] && (e.Env == "" || e.Env == env) {
			rep.UnusedExceptions = append(rep.UnusedExceptions, e)
		}
	}
	return rep
}

var rank = map[Verdict]int{Fail: 0, Relaxed: 1, Excepted: 2, Pass: 3, NotApplicable: 4}

func worse(a, b Verdict) bool { return rank[a] < rank[b] }
