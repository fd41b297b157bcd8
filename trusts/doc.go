// Package trusts is the trusts layer: for every partner NHS trust in the stack config it mints the
// trust API key and the trust-internal service key with pulumi-random (32 random bytes each, URL-safe
// base64), computes the SHA-256 hex digest of the API key, and registers the trust in the hub
// database with a local.Command that runs `hubctl trust register` (and `hubctl trust deregister` when
// the trust leaves the config). It exports, per trust code, the keys, the hash and the registration
// (trust id, FL kit slot) as one secret map that `hubctl kits` turns into kit files.
//
// Every resource of a trust is named after its code, so adding a trust adds only that trust's
// resources and removing one deletes only its own. It must never put a key or a key hash in a command
// line, a resource name or any non-secret output: the hash reaches hubctl through the command's
// secret environment, and the plaintext keys never leave encrypted state and the kit files. It never
// reads config or the stack name, and never talks to the database itself.
package trusts
