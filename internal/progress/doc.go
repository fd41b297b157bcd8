// Package progress shows that a long wait is alive: a heartbeat line with the elapsed time,
// rewritten in place on a terminal and absent when the output is piped, so logs and scripts see
// only the commands' own lines. It never uses colour.
package progress
