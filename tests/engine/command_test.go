package engine

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// runCommand runs one step (create, update or delete) of a command:local:Command the way
// pulumi-command documents it: the step's text through the interpreter (default /bin/sh -c),
// the process environment plus `environment`, `stdin` on standard input, in `dir`; with
// addPreviousOutputInEnv (default true) the previous stdout and stderr as
// PULUMI_COMMAND_STDOUT and PULUMI_COMMAND_STDERR. A non-zero exit fails the step. stdout and
// stderr land in props, without their trailing newline.
func runCommand(props resource.PropertyMap, step string, olds resource.PropertyMap) error {
	text := plainString(props[resource.PropertyKey(step)])
	if text == "" {
		return nil
	}
	interp := []string{"/bin/sh", "-c"}
	if v := props["interpreter"]; v.IsArray() && len(v.ArrayValue()) > 0 {
		interp = nil
		for _, e := range v.ArrayValue() {
			interp = append(interp, plainString(e))
		}
	}
	cmd := exec.Command(interp[0], append(interp[1:], text)...) //nolint:gosec // the test provider runs what the program asks, as pulumi-command does
	cmd.Env = os.Environ()
	if env := props["environment"]; env.IsSecret() || env.IsObject() {
		if env.IsSecret() {
			env = env.SecretValue().Element
		}
		for k, v := range env.ObjectValue() {
			cmd.Env = append(cmd.Env, string(k)+"="+plainString(v))
		}
	}
	addPrev := true
	if v := props["addPreviousOutputInEnv"]; v.IsBool() {
		addPrev = v.BoolValue()
	}
	if addPrev && olds != nil {
		cmd.Env = append(cmd.Env,
			"PULUMI_COMMAND_STDOUT="+plainString(olds["stdout"]),
			"PULUMI_COMMAND_STDERR="+plainString(olds["stderr"]))
	}
	if s := plainString(props["stdin"]); s != "" {
		cmd.Stdin = strings.NewReader(s)
	}
	cmd.Dir = plainString(props["dir"])
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	props["stdout"] = resource.NewProperty(strings.TrimSuffix(stdout.String(), "\n"))
	props["stderr"] = resource.NewProperty(strings.TrimSuffix(stderr.String(), "\n"))
	if err != nil {
		return fmt.Errorf("%s: %w: running %q:\nStdout:\n%s\nStderr:\n%s", step, err, text, stdout.String(), stderr.String())
	}
	return nil
}
