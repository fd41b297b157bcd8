// Command policy is the flip-hub policy pack: the compliance rules of package
// compliance, enforced by the Pulumi engine on a real preview or update (real provider
// values, not mocks) at the mandatory level. The pull-request workflow passes this
// directory to `pulumi preview` (policyPacks: policy). It needs the Go policy analyzer
// (policyx), which Pulumi still marks experimental; see README.md.
package main
