// Package kit renders and writes a trust's kit file, trust/.env.<code>.<env>: the dotenv file a
// partner trust's deployment reads to reach the hub. It owns the file's managed keys — the per-trust
// block (TRUST_API_KEY, TRUST_INTERNAL_SERVICE_KEY, EXPECTED_TRUST_ID, FL_KIT_SLOT,
// FL_KIT_SLOT_NUMBER) written just above a sentinel comment, and the hub-shared section below it —
// and merges them into an existing file without disturbing the operator's own lines, writing
// atomically with mode 0600.
//
// It must never log, print or put in an error any key value, never write outside the directory it
// is given (codes and environments are validated, symlinks refused), never leave a kit readable by
// group or others, and never silently drop an operator's line.
package kit
