package deploy_test

import (
	"fmt"

	"github.com/londonaicentre/flip-hub/internal/deploy"
)

// The compute layer reads the deploy's SSM command ID back from hubctl's output.
func ExampleCommandIDFromOutput() {
	out := "flip-deploy: deployed: flip-api healthy, fl-server-net-1 running\n" +
		deploy.ResultLine("8f0c1e2a-3b4c-4d5e-8f90-a1b2c3d4e5f6", "i-0123456789abcdef0", "Success") + "\n"
	fmt.Println(deploy.CommandIDFromOutput(out))
	// Output: 8f0c1e2a-3b4c-4d5e-8f90-a1b2c3d4e5f6
}

// Each backend's FL server kit comes from the kits bucket in FLIP's provisioning layout and lands
// in Host; for Flower only the SuperLink's TLS material and the SuperNodes' public keys.
func ExampleKitDirs() {
	for _, k := range deploy.KitDirs(deploy.Flower, "2025-06-01") {
		fmt.Println(k.S3, "->", k.Host, k.Only)
	}
	// Output:
	// fl-flower-participant-kits/2025-06-01/net-1/certificates -> /opt/flip/services/net-1/certificates [ca.crt server.pem server.key]
	// fl-flower-participant-kits/2025-06-01/net-1/keys -> /opt/flip/services/net-1/keys [*.pub]
}
