package trustpkg

import (
	"errors"
	"strings"
)

// Refusals. Every error Build returns for one of these wraps the sentinel, so a caller can map it
// to an exit code with errors.Is.
var (
	// ErrInvalid: an option is missing or malformed (the message names it).
	ErrInvalid = errors.New("invalid trust package option")
	// ErrNoSlot: the trust has not claimed an FL kit slot, so it has no participant material.
	ErrNoSlot = errors.New("trust has no claimed fl kit slot")
	// ErrUnknownBackend: the backend is neither nvflare nor flower.
	ErrUnknownBackend = errors.New("unknown fl backend")
	// ErrSlotNumber: the slot number is not the one upstream derives from the slot name, or a
	// Flower slot has no number and so no SuperNode credential.
	ErrSlotNumber = errors.New("slot number does not fit the slot")
	// ErrHubParticipant: the slot names one of the hub's own NVFLARE participants, whose kit holds
	// the hub's private keys.
	ErrHubParticipant = errors.New("slot is a hub participant")
	// ErrKitMismatch: the env kit names another slot, slot number, backend or kit date than the
	// package is built for, so the trust would look for material the archive does not hold.
	ErrKitMismatch = errors.New("env kit does not match the package")
	// ErrEmptyKit: the kits bucket holds nothing for the slot under the kit's prefix.
	ErrEmptyKit = errors.New("kit is empty")
	// ErrIncompleteKit: a file the trust's FL client cannot start without is missing or empty.
	ErrIncompleteKit = errors.New("kit is incomplete")
	// ErrUnsafeKey: an object key would leave its directory in the archive (.., an absolute or
	// empty path element, a backslash or control character) or collides with a directory.
	ErrUnsafeKey = errors.New("unsafe object key")
	// ErrTooLarge: an object is larger than any participant kit file should be.
	ErrTooLarge = errors.New("object too large")
)

// EmptyKitError is ErrEmptyKit with the exact prefix that held nothing for the slot.
type EmptyKitError struct {
	URI  string // s3://bucket/prefix/, ending in "/"
	Slot string
}

func (e *EmptyKitError) Error() string {
	return "kit is empty: " + e.URI + " holds no fl participant material for slot " + e.Slot
}

// Unwrap makes errors.Is(err, ErrEmptyKit) hold.
func (e *EmptyKitError) Unwrap() error { return ErrEmptyKit }

// IncompleteKitError is ErrIncompleteKit with the objects that are missing or empty.
type IncompleteKitError struct {
	Missing []string // s3:// URIs
}

func (e *IncompleteKitError) Error() string {
	return "kit is incomplete: missing or empty " + strings.Join(e.Missing, ", ")
}

// Unwrap makes errors.Is(err, ErrIncompleteKit) hold.
func (e *IncompleteKitError) Unwrap() error { return ErrIncompleteKit }
