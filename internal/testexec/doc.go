// Package testexec writes executable stand-ins (fake aws CLIs, stub binaries) for tests so that
// parallel tests can run them at once without "text file busy" errors (see Write), and runs
// shellcheck over rendered scripts; Buffer is an output buffer safe to read while another
// goroutine writes it. It is imported only from _test.go files.
package testexec
