// Package protocol versions the command lines the Pulumi program builds for hubctl (`host run`,
// `trust register`, `trust deregister`): the program passes --protocol Version, and hubctl refuses
// a version other than its own, so a hubctl left behind by a `git pull` without a rebuild fails
// loudly instead of serving a newer program.
package protocol
