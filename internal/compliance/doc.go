// Package compliance is the hub's compliance rule set: checks drawn from Checkov, Trivy,
// AWS Security Hub (Foundational Security Best Practices) and Pulumi AWSGuard, each
// citing its source IDs, written once over a neutral View of a resource (type, name,
// inputs, options, parent, dependencies). The same rules run over the graph recorded
// under mocks (tests and `hubctl plan`, through compliance/planview) and as a Pulumi
// policy pack over real provider values (the policy directory). Exceptions are explicit,
// per resource, with a reason; stag-only relaxations are declared on the rule.
//
// It imports nothing but the standard library, so the policy pack that links it stays
// small; it never reads config, the cloud, or a stack's secrets.
package compliance
