// Package clihelp holds hubctl's long help and examples, one section per command in help.txt,
// and applies them to the cobra tree. A test checks that every command has both and that every
// section names a real command, so help cannot silently go missing or stale.
package clihelp
