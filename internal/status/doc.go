// Package status answers "is this hub healthy?" for `hubctl status`: it runs a list of checks
// (stack outputs present, no drift, hub instance running and Online in SSM, RDS available and
// answering SELECT 1, secrets readable, HTTPS on the hub domain with a certificate that is not about
// to expire, the FL endpoint accepting TCP, the containers up, the log groups receiving events), each
// under its own timeout and concurrently, and renders one Report as a table for people or JSON for
// scripts. Every failed check says what to do about it.
//
// Checks talk to the world only through narrow interfaces that aws-sdk-go-v2 clients, *http.Client,
// net.Dialer, *ssmrun.Runner and pgx satisfy, so tests point them at moto_server, local HTTP and TCP
// servers and a real PostgreSQL. The package must never change anything it checks (it only reads and
// runs read-only commands), and never print, log or put in a Report a secret value: secrets are read
// to prove they are readable and well-formed, and only their key names are ever reported.
package status
