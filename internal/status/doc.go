// Package status answers "is this hub healthy?" for `hubctl status`: it runs the hub's checks
// (HubChecks, with each AWS-hosted trust's TrustChecks) concurrently, each under its own timeout, and renders one Report as a table or JSON,
// every failed check saying what to do. Checks reach the world only through narrow interfaces. It
// never changes anything it checks, and never prints, logs or reports a secret value: secrets are
// read only to prove them readable and well-formed, and only their key names are reported.
package status
