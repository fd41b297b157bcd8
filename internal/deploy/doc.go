// Package deploy renders, as plain deterministic text, everything the hub host needs to run the
// FLIP hub containers: the Docker Compose file for flip-api, fl-api and fl-server (NVFLARE or
// Flower), one env file per service holding non-secret settings only, and the bash deploy script
// that `hubctl host run` sends to the host over SSM, plus a content hash used as the deploy trigger.
//
// The script is the whole SSM command, so it must never contain a secret value: SSM keeps command
// text and output. Secrets (the FLIP_API secret's internal_service_key for fl-server, the registry
// token) are read on the host from Secrets Manager with the instance role, into 0600 files or
// straight into `docker login --password-stdin`. The package never talks to AWS, never reads
// config or the stack name, and never takes a secret value as input: Spec holds only names, ARNs
// and settings, so nothing it renders can leak one.
package deploy
