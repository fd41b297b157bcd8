// Package trustdeploy renders, as deterministic text, what an AWS-hosted trust's host needs to run
// FLIP's trust stack: the compose files (upstream's trust services, FL client, XNAT, observability),
// the kit's host-local profile, and the bash deploy script `hubctl host run` sends over SSM, with
// the content hash that triggers a deploy. The script names the trust's kit secret by ARN and
// fetches it, and the slot's FL material, on the host with the instance role: it never contains a
// secret value, and the package never takes one as input. It never talks to AWS.
package trustdeploy
