// Package deploy renders, as deterministic text, what the hub host needs to run the FLIP hub
// containers: the Docker Compose file, one env file per service, the bash deploy script that
// `hubctl host run` sends over SSM, and the content hash that triggers a deploy. SSM keeps command
// text and output, so the script never contains a secret value: the package never takes one as input
// (Spec holds names, ARNs and settings) and the host reads secrets itself. It never talks to AWS,
// and never reads config or the stack name.
package deploy
