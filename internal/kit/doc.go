// Package kit renders and writes a trust's kit file, trust/.env.<code>.<env>: the dotenv file a
// partner trust's deployment reads to reach the hub. It owns the file's managed keys (a per-trust
// block above a sentinel comment, a hub-shared section below it) and merges them into an existing
// file, atomically, with mode 0600. It never logs, prints or puts in an error any key value, never
// writes outside the directory it is given, never leaves a kit readable by group or others, and never
// silently drops an operator's line.
package kit
