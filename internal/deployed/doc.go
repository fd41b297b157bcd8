// Package deployed is a deployed hub as the day-2 commands see it: its stack outputs (from the
// state backend through the Automation API, or from an outputs file), typed as hub.Outputs, its
// region and AWS configuration, whether it is production, and what the outputs say about its
// database and its trusts' last registrations.
package deployed
