package engine

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ssm"

	"github.com/londonaicentre/flip-hub/network"
	"github.com/londonaicentre/flip-hub/trusthost"
)

// TestTrustHostStag deploys a stag hub whose first trust is AWS-hosted through the real engine:
// the trust host and everything of it is created as planned, the trust deploy runs over (moto's)
// SSM on the trust host with no secret in the command, the NAT gateway's address becomes the
// trust's entry in the FL prefix list, the kit stays a secret in the state, and a second up
// changes nothing.
func TestTrustHostStag(t *testing.T) {
	t.Parallel()
	h := newHub(t, "stag", func(cfg map[string]any) {
		trusts, _ := cfg["flip-hub:trusts"].([]any)
		first, _ := trusts[0].(map[string]any)
		first["hosting"] = "aws"
		delete(first, "egressCidrs")
	})
	h.up(t)
	_, dep := h.export()
	if d := diffSets(planURNs(t, h), stateURNs(dep)); d != "" {
		t.Fatalf("state after up differs from the plan:\n%s", d)
	}

	var instance, natIP string
	for _, r := range dep.Resources {
		switch {
		case r.Type == "aws:ec2/instance:Instance" && strings.Contains(r.URN, trusthost.TypeToken+"$"):
			instance = r.ID
		case r.Type == "aws:ec2/eip:Eip":
			natIP, _ = r.Outputs["publicIp"].(string)
		case r.Type == "aws:secretsmanager/secretVersion:SecretVersion" && strings.HasSuffix(r.URN, "::"+trusthost.ResourceName("gstt", "kit")):
			if s, ok := r.Outputs["secretString"].(map[string]any); !ok || s["ciphertext"] == nil {
				t.Errorf("the trust kit is not a secret in the state: %T", r.Outputs["secretString"])
			}
		}
	}
	if instance == "" || natIP == "" {
		t.Fatalf("no trust host instance (%q) or NAT address (%q) in the state", instance, natIP)
	}

	t.Run("outputs name the trust host", func(t *testing.T) {
		hosts, _ := h.outputs(t)["trustHosts"].(map[string]any)
		gstt, _ := hosts["gstt"].(map[string]any)
		if gstt["instanceId"] != instance {
			t.Errorf("output trustHosts %v; want gstt on %s", hosts, instance)
		}
		if _, ok := hosts["uclh"]; ok {
			t.Error("the on-prem trust uclh has a trust host")
		}
	})

	t.Run("the NAT address admits the trust to the FL port", func(t *testing.T) {
		nets := h.trustNetworks(t)
		if got := nets[natIP+"/32"]; got != network.TrustNetworkDescription([]string{"gstt"}) {
			t.Errorf("prefix list entries %v; want %s/32 for gstt", nets, natIP)
		}
	})

	t.Run("the trust deploy ran over SSM with no secret in the command", func(t *testing.T) {
		out, err := ssm.NewFromConfig(h.moto.AWSConfig()).ListCommands(context.Background(), &ssm.ListCommandsInput{InstanceId: &instance})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Commands) != 1 {
			t.Fatalf("moto holds %d SSM commands for the trust host; want the one trust deploy", len(out.Commands))
		}
		c := out.Commands[0]
		if aws.ToString(c.DocumentName) != "AWS-RunShellScript" || !strings.HasPrefix(aws.ToString(c.Comment), "flip-hub trust gstt deploy") {
			t.Errorf("trust deploy: document %q, comment %q", aws.ToString(c.DocumentName), aws.ToString(c.Comment))
		}
		text := strings.Join(c.Parameters["commands"], "\n")
		regs, _ := h.outputs(t)["trustRegistrations"].(map[string]any)
		reg, _ := regs["gstt"].(map[string]any)
		slot, _ := reg["slotName"].(string)
		for _, want := range []string{"readonly KIT_SECRET_ARN=", "fl-flare-participant-kits/2025-06-01/net-1/services/" + slot + "/", "docker compose"} {
			if slot == "" || !strings.Contains(text, want) {
				t.Errorf("the trust deploy script lacks %q (slot %q)", want, slot)
			}
		}
		secrets := h.secretValues(t)
		if len(secrets) == 0 {
			t.Fatal("no secrets to look for")
		}
		for name, v := range secrets {
			if strings.Contains(text, v) {
				t.Errorf("the SSM trust deploy command carries %s in plaintext", name)
			}
		}
	})

	t.Run("second up changes nothing", func(t *testing.T) {
		if r := h.run(upTimeout, "up", "--stack", "stag", "--expect-no-changes"); r.code != 0 {
			t.Fatalf("a second up has changes (exit %d)\n%s", r.code, r)
		}
	})

	// What re-runs the trust deploy: the image tags (which the kit carries too) and the kit.
	for _, step := range []struct {
		name string
		edit func(cfg map[string]any)
		want []string
	}{
		{"an image tag bump redeploys the hub and the trust", func(cfg map[string]any) {
			cfg["flip-hub:images"].(map[string]any)["tag"] = "sha-1111111"
		}, []string{"::hub-deploy", "::" + trusthost.ResourceName("gstt", "kit"), "::" + trusthost.ResourceName("gstt", "deploy")}},
		{"rotating the trust's keys redeploys it with the new kit", func(cfg map[string]any) {
			cfg["flip-hub:trusts"].([]any)[0].(map[string]any)["rotation"] = 1
		}, []string{"::gstt-register", "::" + trusthost.ResourceName("gstt", "kit"), "::" + trusthost.ResourceName("gstt", "deploy")}},
	} {
		t.Run(step.name, func(t *testing.T) {
			before := trustCommands(t, h, instance)
			h.editConfig(step.edit)
			got := changedURNs(h.up(t))
			var names []string
			for _, u := range got {
				names = append(names, u[strings.LastIndex(u, "::"):])
			}
			if strings.Join(names, " ") != strings.Join(step.want, " ") && !sameSet(names, step.want) {
				t.Errorf("changed %v; want %v", names, step.want)
			}
			if after := trustCommands(t, h, instance); after != before+1 {
				t.Errorf("%d SSM commands on the trust host after %d; want one more deploy", after, before)
			}
		})
	}
}

// TestTrustHostingSwitch: moving a trust from on-prem to AWS builds its host and swaps its
// prefix-list entry for the NAT address, which then names both AWS-hosted trusts; the list stays
// sized to its entries. Moving it back removes its host and restores its own network.
func TestTrustHostingSwitch(t *testing.T) {
	t.Parallel()
	h := newHub(t, "stag", func(cfg map[string]any) {
		first, _ := cfg["flip-hub:trusts"].([]any)[0].(map[string]any)
		first["hosting"] = "aws"
		delete(first, "egressCidrs")
	})
	h.up(t)
	natIP := ""
	_, dep := h.export()
	for _, r := range dep.Resources {
		if r.Type == "aws:ec2/eip:Eip" {
			natIP, _ = r.Outputs["publicIp"].(string)
		}
	}
	onprem := "198.51.100.32/28"
	for _, step := range []struct {
		name  string
		edit  func(m map[string]any)
		want  map[string]string
		hosts int
	}{
		{"to aws", func(m map[string]any) { m["hosting"] = "aws"; delete(m, "egressCidrs") },
			map[string]string{natIP + "/32": network.TrustNetworkDescription([]string{"gstt", "uclh"})}, 2},
		{"back to onprem", func(m map[string]any) { m["hosting"] = "onprem"; m["egressCidrs"] = []any{onprem} },
			map[string]string{natIP + "/32": network.TrustNetworkDescription([]string{"gstt"}), onprem: network.TrustNetworkDescription([]string{"uclh"})}, 1},
	} {
		t.Run(step.name, func(t *testing.T) {
			h.editConfig(func(cfg map[string]any) { step.edit(cfg["flip-hub:trusts"].([]any)[1].(map[string]any)) })
			h.up(t)
			if got := h.trustNetworks(t); !maps.Equal(got, step.want) {
				t.Errorf("prefix list entries %v; want %v", got, step.want)
			}
			_, dep := h.export()
			hosts := 0
			for _, r := range dep.Resources {
				if r.Type == trusthost.TypeToken {
					hosts++
				}
				if r.Type == prefixListType {
					if n, _ := r.Outputs["maxEntries"].(float64); int(n) != len(step.want) {
						t.Errorf("prefix list maxEntries %v; want %d", r.Outputs["maxEntries"], len(step.want))
					}
				}
			}
			if hosts != step.hosts {
				t.Errorf("%d trust hosts; want %d", hosts, step.hosts)
			}
			if r := h.run(upTimeout, "up", "--stack", "stag", "--expect-no-changes"); r.code != 0 {
				t.Fatalf("a second up has changes (exit %d)\n%s", r.code, r)
			}
		})
	}
}

// trustCommands counts the SSM commands moto holds for the trust host.
func trustCommands(t *testing.T, h *hub, instance string) int {
	t.Helper()
	out, err := ssm.NewFromConfig(h.moto.AWSConfig()).ListCommands(context.Background(), &ssm.ListCommandsInput{InstanceId: &instance})
	if err != nil {
		t.Fatal(err)
	}
	return len(out.Commands)
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, x := range a {
		seen[x]++
	}
	for _, x := range b {
		seen[x]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
