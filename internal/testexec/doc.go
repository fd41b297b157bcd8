// Package testexec writes executable stand-ins (fake aws CLIs, stub binaries) for tests in a way
// that parallel tests can run them at once. It is imported only from _test.go files.
//
// Writing a file and then executing it races with any fork in the same process: a child forked
// while the file is open for writing holds the write descriptor until it execs, and executing the
// file meanwhile fails with ETXTBSY ("text file busy"). Write holds syscall.ForkLock for reading
// while the file is open, which the runtime's fork takes for writing, so no fork can happen then.
package testexec
