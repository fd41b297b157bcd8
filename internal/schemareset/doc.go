// Package schemareset carries out the hub database's documented schema recreation, the step a
// schema-changing FLIP release needs because flip-api has no migrations: DROP SCHEMA public CASCADE;
// CREATE SCHEMA public; in one transaction, then a restart of flip-api (which recreates its tables
// and seeds the FL kit-slot pool), a wait for those tables, and the re-registration of every trust
// with the registrar.
//
// It owns the guards around that step: on a production hub a manual RDS snapshot of the instance,
// either taken here and waited for until available or named by the operator and verified (manual,
// of this instance, available, created within the last hour); a confirmation in which the operator
// types the stack name back (or passes it as --yes-i-understand); a dry run that reads but changes
// nothing. It must never drop anything before every guard has passed, never drop anything but the
// public schema, never see a trust's plaintext API key (only its hash, handed to the registrar), and
// never print a secret.
package schemareset
