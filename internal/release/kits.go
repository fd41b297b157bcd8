package release

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"slices"
	"strings"

	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/trusts"
)

// Stack outputs the kit writer reads (hub.Outputs names them). `trusts` and `aesKeyBase64` are
// secret.
var (
	OutputTrusts    = hub.OutputKey(&hub.Out.Trusts)
	OutputAESKey    = hub.OutputKey(&hub.Out.AESKeyBase64)
	OutputDomain    = hub.OutputKey(&hub.Out.Domain)
	OutputImages    = hub.OutputKey(&hub.Out.Images)
	OutputFLBackend = hub.OutputKey(&hub.Out.FLBackend)
	OutputFLPort    = hub.OutputKey(&hub.Out.FLPort)
	OutputFLKitDate = hub.OutputKey(&hub.Out.FLKitDate)
)

// WriteKits writes every trust's kit file, dir/.env.<code>.<env>, from the stack's secret outputs
// and returns the paths written, in code order. dir is created (0700) when missing. A trust that
// cannot be written (not registered yet, say) does not stop the others: the error lists each one.
// Nothing secret is printed or put in an error.
func (s *Stack) WriteKits(ctx context.Context, dir string) ([]string, error) {
	env, err := s.KitEnv(ctx)
	if err != nil {
		return nil, classify(err)
	}
	outs, err := s.Outputs(ctx, true)
	if err != nil {
		return nil, err
	}
	paths, err := WriteKitsFrom(dir, env, outs)
	if err != nil {
		return paths, fmt.Errorf("kits of %s: %w", s.opts.Stack, err)
	}
	return paths, nil
}

// WriteKitsFrom writes the kits from stack outputs read with secrets shown (see WriteKits).
func WriteKitsFrom(dir, env string, outs map[string]any) ([]string, error) {
	hub, err := KitHub(outs)
	if err != nil {
		return nil, err
	}
	raw, ok := outs[OutputTrusts]
	if !ok {
		return nil, fail(Failed, "no %q output: deploy the stack with this release first", OutputTrusts)
	}
	all, ok := raw.(map[string]any)
	if !ok {
		return nil, fail(Failed, "output %q is %s; want a map of trust code to kit values (were secrets shown?)", OutputTrusts, kind(raw))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("kit directory: %w", err)
	}
	codes := make([]string, 0, len(all))
	for code := range all {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	var (
		paths []string
		errs  []error
	)
	for _, code := range codes {
		t, err := KitTrust(code, all[code])
		if err == nil {
			var path string
			path, err = kit.Write(dir, code, env, t, hub)
			if err == nil {
				paths = append(paths, path)
				continue
			}
		}
		errs = append(errs, fmt.Errorf("trust %s: %w", code, err))
	}
	if len(errs) > 0 {
		return paths, &Error{Code: Failed, Err: errors.Join(errs...)}
	}
	return paths, nil
}

// KitHub reads the hub-shared kit values from stack outputs.
func KitHub(outs map[string]any) (kit.Hub, error) {
	var missing []string
	str := func(key string) string {
		v, ok := outs[key].(string)
		if !ok || v == "" || v == Masked {
			missing = append(missing, key)
		}
		return v
	}
	h := kit.Hub{
		AESKeyBase64: kit.Secret(str(OutputAESKey)),
		Domain:       str(OutputDomain),
		FLBackend:    str(OutputFLBackend),
		KitDate:      str(OutputFLKitDate),
	}
	images, _ := outs[OutputImages].(map[string]any)
	for key, dst := range map[string]*string{
		"tag": &h.DockerTag, "registry": &h.DockerRegistry, "flTag": &h.DockerFLTag, "flRegistry": &h.DockerFLRegistry,
	} {
		v, ok := images[key].(string)
		if !ok || v == "" {
			missing = append(missing, OutputImages+"."+key)
		}
		*dst = v
	}
	port, ok := outs[OutputFLPort].(float64)
	if !ok || port != math.Trunc(port) {
		missing = append(missing, OutputFLPort)
	}
	h.FLServerPort = int(port)
	if len(missing) > 0 {
		slices.Sort(missing)
		return kit.Hub{}, fail(Failed, "the stack outputs lack %s: deploy the stack with this release first", strings.Join(missing, ", "))
	}
	return h, nil
}

// KitTrust reads one trust's kit values from its entry in the `trusts` output. It refuses an entry
// whose hash does not match its API key, and a trust that has not been registered yet.
func KitTrust(code string, entry any) (kit.Trust, error) {
	m, ok := entry.(map[string]any)
	if !ok {
		return kit.Trust{}, fmt.Errorf("its entry is %s; want a map", kind(entry))
	}
	str := func(key string) string {
		v, _ := m[key].(string)
		return v
	}
	apiKey, serviceKey := str(trusts.KeyAPIKey), str(trusts.KeyInternalServiceKey)
	switch {
	case apiKey == "" || serviceKey == "":
		return kit.Trust{}, fmt.Errorf("no keys in the %q output (were secrets shown?)", OutputTrusts)
	case flip.KeyHash(apiKey) != str(trusts.KeyAPIKeyHash):
		return kit.Trust{}, fmt.Errorf("the stored hash does not match the API key; run hubctl up to re-register the trust")
	case str(trusts.KeyTrustID) == "" || str(trusts.KeySlotName) == "":
		return kit.Trust{}, fmt.Errorf("not registered yet (no trust id or slot); run hubctl up, then hubctl kits again")
	}
	number, ok := m[trusts.KeySlotNumber].(float64)
	if !ok || number != math.Trunc(number) {
		return kit.Trust{}, fmt.Errorf("slot number is %s; want an integer", kind(m[trusts.KeySlotNumber]))
	}
	return kit.Trust{
		APIKey:             kit.Secret(apiKey),
		InternalServiceKey: kit.Secret(serviceKey),
		TrustID:            str(trusts.KeyTrustID),
		SlotName:           str(trusts.KeySlotName),
		SlotNumber:         int(number),
	}, nil
}

// kind names a value's JSON type for an error, without its content.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "missing"
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "a list"
	case map[string]any:
		return "a map"
	}
	return fmt.Sprintf("a %T", v)
}
