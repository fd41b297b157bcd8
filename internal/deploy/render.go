package deploy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// Bundle is a rendered deploy.
type Bundle struct {
	// Compose is compose.yaml.
	Compose string
	// EnvFiles are the non-secret env files, paths relative to Dir.
	EnvFiles []File
	// Script is the deploy script: the whole SSM command, with Compose and EnvFiles inside.
	Script string
	// Hash is the SHA-256 hex digest of everything the deploy puts on the host (compose file,
	// env files, and every script parameter), so it changes exactly when a deploy would change
	// something. It is the deploy's trigger.
	Hash string
}

// hashVersion is bumped when the script's behaviour changes in a way that must redeploy every
// hub even though no input changed.
const hashVersion = "flip-hub-deploy/2"

// Render validates spec and renders the deploy. Output depends on spec alone.
//
// The Bundle holds the Docker Compose file for flip-api, fl-api and fl-server (NVFLARE or Flower),
// one env file of non-secret settings per service, and the deploy script. The script is the whole
// SSM command, so the host reads every secret (the FLIP_API secret's internal_service_key for
// fl-server, the registry token) from Secrets Manager with its instance role, into 0600 files or
// straight into `docker login --password-stdin`.
func Render(spec Spec) (Bundle, error) {
	s := spec.withDefaults()
	if err := s.Validate(); err != nil {
		return Bundle{}, err
	}
	compose, err := renderCompose(s)
	if err != nil {
		return Bundle{}, err
	}
	envs, err := renderEnvFiles(s)
	if err != nil {
		return Bundle{}, err
	}
	p := scriptParams{
		Backend:                string(s.Backend),
		Region:                 s.Region,
		Tag:                    s.Images.Tag,
		FLTag:                  s.Images.FLTag,
		KitDate:                s.KitDate,
		Compose:                compose,
		SecretEnvFile:          SecretEnvFile,
		FlipAPISecretARN:       s.FlipAPISecretARN,
		RegistryTokenSecretARN: s.RegistryTokenSecretARN,
		RegistryHost:           s.Images.RegistryHost(),
		RegistryUser:           s.RegistryUser,
		KitsBucket:             s.Buckets.FLKits,
		Kits:                   KitDirs(s.Backend, s.KitDate),
		RuntimeDirs:            RuntimeDirs(s.Backend),
		FLServices:             []string{ServiceFLAPI, ServiceFLServer},
		FLServer:               ServiceFLServer,
		HealthURL:              fmt.Sprintf("http://127.0.0.1:%d%s", APIPort, HealthPath),
		HealthTimeoutSeconds:   int(s.HealthTimeout.Seconds()),
	}
	if s.Backend == Flower {
		p.RegisterService = ServiceRegisterKeys
	}
	for _, f := range envs {
		p.EnvFiles = append(p.EnvFiles, heredocFile{Path: f.Path, Mode: "0640", Content: f.Content})
	}
	if p.HostFiles, err = hostFiles(s); err != nil {
		return Bundle{}, err
	}
	if p.Hash, err = paramsHash(p); err != nil {
		return Bundle{}, err
	}
	script, err := renderScript(p)
	if err != nil {
		return Bundle{}, err
	}
	return Bundle{Compose: compose, EnvFiles: envs, Script: script, Hash: p.Hash}, nil
}

// paramsHash digests the script rendered without its hash: everything the deploy puts on the
// host (compose file, env files, host files and every parameter) is in it, so the hash moves
// exactly when what lands on the host does, and not when only the template's source changes.
func paramsHash(p scriptParams) (string, error) {
	p.Hash = ""
	script, err := renderScript(p)
	if err != nil {
		return "", fmt.Errorf("deploy hash: %w", err)
	}
	h := sha256.New()
	for _, part := range []string{hashVersion, script} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
