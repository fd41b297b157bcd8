// Package namer builds the physical names of the hub's AWS resources from one prefix,
// so every name is predictable, lower-case, and within the length limit of its service
// (a short hash of the full name replaces the tail of a name that would be too long).
// It never reads config or the stack: the prefix is handed to it.
package namer
