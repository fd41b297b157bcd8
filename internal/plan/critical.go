package plan

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// CreateMinutes are typical creation times, in minutes, of the resource types the hub
// deploys: what the provider waits for before the resource counts as created, from
// AWS's documentation and observed deploys. They estimate a full deploy's critical path;
// they are not promises. A type not listed takes DefaultCreateMinutes.
var CreateMinutes = map[string]float64{
	// Slow: these set the length of a deploy.
	"aws:rds/instance:Instance":                                       12,  // single-AZ; multi-AZ: MultiAZRDSMinutes
	"aws:cloudfront/distribution:Distribution":                        10,  // 5-15 until Deployed
	"aws:cloudfront/vpcOrigin:VpcOrigin":                              10,  // 8-15 until Deployed
	"aws:acm/certificateValidation:CertificateValidation":             4,   // 3-5 once the DNS record resolves
	"aws:lb/loadBalancer:LoadBalancer":                                3,   // ALB/NLB provisioning, 2-4
	"aws:ec2/natGateway:NatGateway":                                   2,   // 1-3 until available
	"aws:ec2/vpcEndpoint:VpcEndpoint":                                 2,   // interface endpoints; gateway ones under a minute
	"aws:ec2/instance:Instance":                                       1.5, // running; status checks are not awaited
	"aws:route53/record:Record":                                       1,   // until INSYNC
	"aws:cognito/userPoolDomain:UserPoolDomain":                       1,   // prefix domain
	"aws:sesv2/emailIdentity:EmailIdentity":                           0.3, // DKIM verification is not awaited
	"command:local:Command":                                           1,   // a trust registration over an SSM tunnel
	"aws:wafv2/webAcl:WebAcl":                                         0.5,
	"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": 0.2,
	"aws:ec2/vpc:Vpc":                                                 0.3,
	"aws:ec2/subnet:Subnet":                                           0.2,
	"aws:ec2/internetGateway:InternetGateway":                         0.2,
	"aws:ec2/eip:Eip":                                                 0.1,
	"aws:ec2/flowLog:FlowLog":                                         0.2,
	"aws:ec2/securityGroup:SecurityGroup":                             0.2,
	"aws:iam/role:Role":                                               0.2,
	"aws:iam/instanceProfile:InstanceProfile":                         0.2, // plus IAM propagation
	"aws:kms/key:Key":                                                 0.2,
	"aws:cognito/userPool:UserPool":                                   0.2,
	"aws:rds/parameterGroup:ParameterGroup":                           0.2,
	"aws:rds/subnetGroup:SubnetGroup":                                 0.2,
	"aws:cloudfront/function:Function":                                0.2,
	"aws:acm/certificate:Certificate":                                 0.2, // requested; validation is separate
	"aws:lb/targetGroup:TargetGroup":                                  0.1,
	"aws:lb/listener:Listener":                                        0.1,
	"aws:lb/listenerRule:ListenerRule":                                0.1,
	"aws:lb/targetGroupAttachment:TargetGroupAttachment":              0.1,
	"random:index/randomBytes:RandomBytes":                            0,
	"random:index/randomPassword:RandomPassword":                      0,
}

// Times that depend on inputs, not only on the type.
const (
	// MultiAZRDSMinutes is a multi-AZ RDS instance: 20-30 minutes.
	MultiAZRDSMinutes = 25
	// HubDeployMinutes is the hub deploy over SSM: wait for the agent, sync kits, pull
	// images, compose up, wait for health (8-15 minutes on a fresh host).
	HubDeployMinutes = 10
	// DefaultCreateMinutes is any other cloud resource: a few API calls.
	DefaultCreateMinutes = 0.1
)

// TypicalMinutes is how long creating r typically takes; components and providers take
// no time.
func TypicalMinutes(r Resource) float64 {
	if !r.Custom || IsProvider(r) {
		return 0
	}
	switch {
	case r.Type == "aws:rds/instance:Instance" && r.Bool("multiAz"):
		return MultiAZRDSMinutes
	case r.Type == "command:local:Command" && strings.Contains(r.String("create"), "host run"):
		return HubDeployMinutes
	}
	if m, ok := CreateMinutes[r.Type]; ok {
		return m
	}
	return DefaultCreateMinutes
}

// Step is one resource on a critical path.
type Step struct {
	URN     string  `json:"urn"`
	Type    string  `json:"type"`
	Name    string  `json:"name"`
	Minutes float64 `json:"minutes"`
	// Start and Finish are minutes from the beginning of the deploy, had everything
	// off the path run in parallel.
	Start  float64 `json:"start"`
	Finish float64 `json:"finish"`
}

// CriticalPath is the longest chain of a full deploy.
type CriticalPath struct {
	Steps        []Step  `json:"steps"`
	TotalMinutes float64 `json:"totalMinutes"`
}

// Waits returns the URNs a resource waits for before it can be created: its
// dependencies and property dependencies, its parent when the parent is a cloud
// resource, and every cloud resource under a component it depends on (the engine
// expands a dependency on a component to the component's children).
func Waits(g *Graph, r Resource) []string {
	set := map[string]bool{}
	var add func(urn string)
	add = func(urn string) {
		if urn == "" || urn == r.URN || set[urn] {
			return
		}
		dep, ok := g.ByURN(urn)
		if !ok {
			return
		}
		if dep.Custom {
			set[urn] = true
			return
		}
		set[urn] = true // a component: wait for everything under it
		for _, c := range g.Children(urn) {
			add(c.URN)
		}
	}
	for _, d := range r.Dependencies {
		add(d)
	}
	for _, ds := range r.PropertyDependencies {
		for _, d := range ds {
			add(d)
		}
	}
	if p, ok := g.ByURN(r.Parent); ok && p.Custom {
		add(p.URN)
	}
	out := make([]string, 0, len(set))
	for u := range set {
		if dep, _ := g.ByURN(u); dep.Custom {
			out = append(out, u)
		}
	}
	sort.Strings(out)
	return out
}

// Critical returns the longest chain of a full deploy of g, timing each resource with
// minutes (TypicalMinutes when nil). It fails on a dependency cycle.
func Critical(g *Graph, minutes func(Resource) float64) (CriticalPath, error) {
	if minutes == nil {
		minutes = TypicalMinutes
	}
	finish := map[string]float64{}
	prev := map[string]string{}
	state := map[string]int{} // 0 new, 1 visiting, 2 done
	var visit func(r Resource) error
	visit = func(r Resource) error {
		switch state[r.URN] {
		case 1:
			return fmt.Errorf("critical path: dependency cycle through %s", r.URN)
		case 2:
			return nil
		}
		state[r.URN] = 1
		start := 0.0
		for _, w := range Waits(g, r) {
			dep, _ := g.ByURN(w)
			if err := visit(dep); err != nil {
				return err
			}
			if f := finish[w]; f > start || prev[r.URN] == "" {
				start, prev[r.URN] = f, w
			}
		}
		finish[r.URN] = start + minutes(r)
		state[r.URN] = 2
		return nil
	}
	var end string
	for _, r := range g.Resources {
		if !r.Custom {
			continue
		}
		if err := visit(r); err != nil {
			return CriticalPath{}, err
		}
		if end == "" || finish[r.URN] > finish[end] {
			end = r.URN
		}
	}
	var cp CriticalPath
	for u := end; u != ""; u = prev[u] {
		r, _ := g.ByURN(u)
		m := minutes(r)
		cp.Steps = append(cp.Steps, Step{URN: u, Type: r.Type, Name: r.Name, Minutes: m, Start: finish[u] - m, Finish: finish[u]})
	}
	for i, j := 0, len(cp.Steps)-1; i < j; i, j = i+1, j-1 {
		cp.Steps[i], cp.Steps[j] = cp.Steps[j], cp.Steps[i]
	}
	if end != "" {
		cp.TotalMinutes = finish[end]
	}
	return cp, nil
}

// WriteCriticalPath prints the chain, one step a line with its minutes, and the total.
func WriteCriticalPath(w io.Writer, cp CriticalPath) error {
	var b strings.Builder
	fmt.Fprintf(&b, "critical path of a full deploy: %d steps, about %.1f minutes\n", len(cp.Steps), cp.TotalMinutes)
	for _, s := range cp.Steps {
		fmt.Fprintf(&b, "  %6.1f  +%5.1f min  %s %s\n", s.Finish, s.Minutes, s.Type, s.Name)
	}
	b.WriteString("(typical creation minutes per type: plan.CreateMinutes; resources off the path run in parallel)\n")
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write critical path: %w", err)
	}
	return nil
}
