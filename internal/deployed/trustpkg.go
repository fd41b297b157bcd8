package deployed

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/londonaicentre/flip-hub/config"
	"github.com/londonaicentre/flip-hub/hub"
	"github.com/londonaicentre/flip-hub/internal/deploy"
	"github.com/londonaicentre/flip-hub/internal/flip"
	"github.com/londonaicentre/flip-hub/internal/kit"
	"github.com/londonaicentre/flip-hub/internal/outcome"
	"github.com/londonaicentre/flip-hub/internal/release"
	"github.com/londonaicentre/flip-hub/internal/trustpkg"
)

// TrustPackage builds trust code's complete on-prem kit as one archive in outDir (created 0700):
// its kit file, rendered from h's outputs (so h must be loaded with secrets) over the one in
// kitsDir when there is one, so the operator's own lines stay; and its claimed slot's FL material
// from the kits bucket. Nothing secret is printed or put in an error.
func (h *Hub) TrustPackage(ctx context.Context, code, kitsDir, outDir string) (trustpkg.Result, error) {
	if h.IsMasked(&hub.Out.Trusts) || h.IsMasked(&hub.Out.AESKeyBase64) {
		return trustpkg.Result{}, outcome.Errorf(outcome.Usage, "the trusts output is masked: the outputs file must come from `hubctl outputs --show-secrets`")
	}
	entry, ok := h.Out.Trusts[code]
	if !ok {
		return trustpkg.Result{}, outcome.Errorf(outcome.Usage, "trust %s is not in stack %s's outputs; deploy it first (`hubctl up`)", code, h.Name)
	}
	t, err := release.KitTrust(code, entry)
	if err != nil {
		return trustpkg.Result{}, err
	}
	hubKit, err := release.KitHub(h.Raw)
	if err != nil {
		return trustpkg.Result{}, err
	}
	env := kit.Staging
	if config.IsProd(h.Name, h.Out.Environment) {
		env = kit.Production
	}
	path, err := kit.Path(kitsDir, code, env)
	if err != nil {
		return trustpkg.Result{}, outcome.Wrap(outcome.Usage, err)
	}
	existing, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return trustpkg.Result{}, fmt.Errorf("read kit %s: %w", path, err)
	}
	envKit, err := kit.Render(existing, t, hubKit)
	if err != nil {
		return trustpkg.Result{}, err
	}
	if err := os.MkdirAll(outDir, 0o700); err != nil {
		return trustpkg.Result{}, fmt.Errorf("archive directory: %w", err)
	}
	res, err := trustpkg.Build(ctx, h.S3(), trustpkg.Options{
		Code: code, Backend: flip.Backend(h.Out.FLBackend), Bucket: h.Out.BucketNames[deploy.BucketFLKits],
		KitDate: h.Out.FLKitDate, Slot: t.SlotName, SlotNumber: t.SlotNumber,
		EnvKit: envKit, EnvKitName: filepath.Base(path), OutDir: outDir,
	})
	switch {
	case errors.Is(err, trustpkg.ErrNoSlot), errors.Is(err, trustpkg.ErrInvalid):
		return res, outcome.Wrap(outcome.Usage, err)
	case errors.Is(err, trustpkg.ErrHubParticipant), errors.Is(err, trustpkg.ErrUnsafeKey):
		return res, outcome.Wrap(outcome.Refused, err)
	}
	return res, err
}
