// Package trusts is the trusts layer: for every partner trust in the stack config it mints the trust
// API key and service key, hashes the API key, and registers the trust through `hubctl trust register`
// (deregister when it leaves the config), exporting keys, hash and registration as one secret map for
// `hubctl kits`. It never puts a key or key hash in a command line, a resource name or a non-secret
// output, never reads config or the stack name, and never talks to the database itself.
package trusts
