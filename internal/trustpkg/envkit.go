package trustpkg

import (
	"bufio"
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/flip"
)

// Keys of the env kit that say which material the trust's compose will look for.
const (
	envBackend    = flip.EnvFLBackend
	envSlot       = flip.EnvKitSlot
	envSlotNumber = flip.EnvKitSlotNumber
)

// checkEnvKit refuses an env kit that names another slot, slot number, backend or kit date than
// o, as upstream's packager refuses a kit whose FL_KIT_SLOT is not the slot it packs: the trust's
// compose builds its mount paths from these values, so a mismatch ships a kit that cannot start
// or, worse, one that points at another slot. Only these four values ever reach an error.
// [deploy/providers/AWS/scripts/package-onprem-trust-kit.sh "FL_KIT_SLOT ... does not match KIT"]
func checkEnvKit(o Options) error {
	dateKey := flip.EnvFlareKitDate
	if o.Backend == flip.Flower {
		dateKey = flip.EnvFlowerKitDate
	}
	want := [][2]string{
		{envBackend, string(o.Backend)},
		{envSlot, o.Slot},
		{envSlotNumber, strconv.Itoa(o.SlotNumber)},
		{dateKey, o.KitDate},
	}
	got, err := envValues(o.EnvKit, envBackend, envSlot, envSlotNumber, dateKey)
	if err != nil {
		return fmt.Errorf("%s: %w: %w", o.EnvKitName, ErrInvalid, err)
	}
	for _, w := range want {
		vals := got[w[0]]
		if len(vals) == 0 {
			return fmt.Errorf("%s: %w: no %s (want %s)", o.EnvKitName, ErrKitMismatch, w[0], w[1])
		}
		for _, v := range vals {
			if v != w[1] {
				return fmt.Errorf("%s: %w: %s=%s, want %s", o.EnvKitName, ErrKitMismatch, w[0], strconv.Quote(v), w[1])
			}
		}
	}
	return nil
}

// envValues returns every value assigned to each of keys in a dotenv file, in order: KEY=value
// lines, an optional "export " prefix, one pair of matching quotes removed. It reads only the
// keys asked for, so no other value is ever held.
func envValues(data []byte, keys ...string) (map[string][]string, error) {
	wanted := map[string]bool{}
	for _, k := range keys {
		wanted[k] = true
	}
	out := map[string][]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		line = strings.TrimPrefix(line, "export ")
		k, v, ok := strings.Cut(line, "=")
		if !ok || !wanted[strings.TrimSpace(k)] {
			continue
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
			v = v[1 : len(v)-1]
		}
		k = strings.TrimSpace(k)
		out[k] = append(out[k], v)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read env kit: %w", err)
	}
	return out, nil
}
