package compliance

import (
	"fmt"
	"strings"
)

// wafACLRules are the rules over the web ACL.
func wafACLRules() []Rule {
	acl := []string{TypeWebACL}
	return []Rule{
		{
			ID: "waf-logging", Types: acl, Stack: true,
			Sources: []string{"CKV2_AWS_31", "WAF.11"},
			Title:   "every web ACL has a logging configuration",
			Check: func(v View, c *Context) []string {
				return unless(len(dependents(c, v, TypeWebACLLogging, "", "")) > 0, "no aws:wafv2/webAclLoggingConfiguration depends on this web ACL")
			},
		},
		{
			ID: "waf-has-rules", Types: acl,
			Sources: []string{"CKV_AWS_175", "WAF.10"},
			Title:   "web ACLs have rules",
			Check: func(v View, _ *Context) []string {
				return unless(v.Unknown("rules") || len(wafRules(v)) > 0, "no rules: the default action decides everything")
			},
		},
		{
			ID: "waf-rule-actions", Types: acl,
			Sources: []string{"CKV_AWS_342"},
			Title:   "every web ACL rule has an action or override action",
			Check: func(v View, _ *Context) []string {
				var p []string
				for _, r := range wafRules(v) {
					_, a := r["action"].(map[string]any)
					_, o := r["overrideAction"].(map[string]any)
					if !a && !o {
						p = append(p, fmt.Sprintf("rule %v has neither action nor overrideAction", r["name"]))
					}
				}
				return p
			},
		},
		{
			ID: "waf-log4j", Types: acl,
			Sources:     []string{"CKV_AWS_192", "CKV2_AWS_47"},
			Title:       "web ACLs run the AWS KnownBadInputs rule group (Log4Shell) without overriding it to count",
			StagRelaxed: "stag's WAF may count instead of block (config edge.waf: count); prod must block",
			Check: func(v View, _ *Context) []string {
				for _, r := range wafRules(v) {
					st, _ := r["statement"].(map[string]any)
					mg, _ := st["managedRuleGroupStatement"].(map[string]any)
					if mg["name"] != knownBadInputs {
						continue
					}
					if o, ok := r["overrideAction"].(map[string]any); ok {
						if _, counts := o["count"]; counts {
							return []string{knownBadInputs + " is overridden to count"}
						}
					}
					for _, ov := range anyMaps(mg["ruleActionOverrides"]) {
						if n, _ := ov["name"].(string); strings.HasPrefix(n, "Log4J") {
							if au, ok := ov["actionToUse"].(map[string]any); ok {
								if _, counts := au["count"]; counts {
									return []string{n + " is overridden to count"}
								}
							}
						}
					}
					return nil
				}
				return []string{"no rule uses " + knownBadInputs}
			},
		},
		{
			ID: "waf-metrics", Types: acl,
			Sources: []string{"WAF.12"},
			Title:   "web ACLs and their rules publish CloudWatch metrics",
			Check: func(v View, _ *Context) []string {
				var p []string
				if !v.IsTrue("visibilityConfig.cloudwatchMetricsEnabled") {
					p = append(p, "the web ACL publishes no metrics")
				}
				for _, r := range wafRules(v) {
					vc, _ := r["visibilityConfig"].(map[string]any)
					if on, _ := vc["cloudwatchMetricsEnabled"].(bool); !on {
						p = append(p, fmt.Sprintf("rule %v publishes no metrics", r["name"]))
					}
				}
				return p
			},
		},
	}
}
