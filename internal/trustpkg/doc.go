// Package trustpkg packs one trust's complete on-prem kit into one .tar.gz: its env kit, the FL
// participant material of its claimed slot from the kits bucket, and a SHA-256 manifest, written
// atomically with mode 0600 and byte-identical for identical inputs. It must never pack another
// slot's material or a private key of the hub, never write outside the directory it is given, and
// never log or put in an error the content of a file it packs.
package trustpkg
