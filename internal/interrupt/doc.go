// Package interrupt turns an operator's Ctrl-C into a graceful stop of the pulumi engine that
// hubctl runs: the first interrupt is forwarded once to the running pulumi child, which finishes
// the operations in flight and records them; only a second interrupt cancels at once. It never
// signals a process that is not a direct child of this one.
package interrupt
