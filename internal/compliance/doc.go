// Package compliance is the hub's compliance rule set: checks drawn from Checkov, Trivy, AWS Security
// Hub and Pulumi AWSGuard, each citing its source IDs, written once over a neutral View of a resource.
// The same rules run over the graph recorded under mocks (tests and `hubctl plan`) and as a Pulumi
// policy pack over real provider values; exceptions are explicit, per resource, with a reason. It
// imports only the standard library, and never reads config, the cloud, or a stack's secrets.
package compliance
