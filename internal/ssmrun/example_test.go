package ssmrun_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/internal/ssmrun"
)

// A release step runs the deploy script on the hub host and fails on any non-Success outcome. The
// script fetches its secrets on the host; the password is passed only so Run can prove it is absent.
func ExampleRunner_Run() {
	ctx := context.Background()
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		log.Printf("aws config: %v", err)
		return
	}
	dbPassword := os.Getenv("FLIP_DB_PASSWORD") // known to the caller, never sent
	r := &ssmrun.Runner{
		API:     ssm.NewFromConfig(cfg),
		Timeout: 20 * time.Minute,
		Out:     os.Stdout,
		Log:     log.Printf,
	}
	res, err := r.Run(ctx, "i-0123456789abcdef0", ssmrun.Script(
		"cd /opt/flip",
		"aws secretsmanager get-secret-value --secret-id flip/hub/db --query SecretString --output text > .db",
		"docker compose pull",
		"docker compose up -d",
	), ssmrun.Options{Comment: "flip-hub deploy", Secrets: []string{dbPassword}})
	switch {
	case errors.Is(err, ssmrun.ErrNotOnline):
		log.Printf("hub host unreachable: %v", err)
	case errors.Is(err, ssmrun.ErrCommandFailed):
		log.Printf("deploy failed with exit code %d: %v", res.ResponseCode, err)
	case err != nil:
		log.Printf("deploy: %v", err)
	}
}

func ExampleScript() {
	fmt.Println(strings.Join(ssmrun.Script("cd /opt/flip", "docker compose up -d"), "\n"))
	// Output:
	// #!/bin/bash
	// set -euo pipefail
	// cd /opt/flip
	// docker compose up -d
}

func ExampleCheckNoSecrets() {
	password := "correct-horse-battery-staple"
	err := ssmrun.CheckNoSecrets("echo "+password+" | docker login --password-stdin", password)
	fmt.Println(err)
	fmt.Println(errors.Is(err, ssmrun.ErrSecretInScript))
	// Output:
	// script contains a secret: secret 1 of 1 appears verbatim; read it on the host from Secrets Manager instead
	// true
}
