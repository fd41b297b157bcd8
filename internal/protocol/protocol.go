package protocol

import "fmt"

// Version is the current version of the program ↔ hubctl command lines. Raise it whenever a
// command the program builds changes its flags, environment or output in a way an older or newer
// hubctl would misread.
const Version = 1

// Flag is the hidden hubctl flag that carries the version.
const Flag = "protocol"

// Arg is the argument the program appends to every command line it builds for hubctl.
func Arg() string { return fmt.Sprintf("--%s %d", Flag, Version) }

// Check accepts v when it is this build's Version; 0 means the flag was not given (an operator's
// own command line), which is accepted too.
func Check(v int) error {
	if v == 0 || v == Version {
		return nil
	}
	return fmt.Errorf("the program built this command for hubctl protocol %d, but this hubctl speaks protocol %d: "+
		"rebuild hubctl from the same commit as the program (go build -o \"$(go env GOPATH)/bin/hubctl\" ./cmd/hubctl)", v, Version)
}
