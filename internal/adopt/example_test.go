package adopt_test

import (
	"fmt"
	"strings"

	"github.com/londonaicentre/flip-hub/internal/adopt"
)

// A state as `terraform state pull` prints it, reduced to one Cognito pool: Find says how
// flip-hub adopts it, ApplyTo writes the stack file, and the report ends Terraform's ownership.
func ExampleFind() {
	const state = `{"version": 4, "terraform_version": "1.9.8", "serial": 7, "resources": [
	  {"module": "module.cognito", "mode": "managed", "type": "aws_cognito_user_pool", "name": "flip_user_pool",
	   "instances": [{"attributes": {"id": "eu-west-2_AbCdEf123", "name": "flip-user-pool",
	     "arn": "arn:aws:cognito-idp:eu-west-2:111111111111:userpool/eu-west-2_AbCdEf123"}}]}]}`
	st, err := adopt.ParseState(strings.NewReader(state))
	if err != nil {
		fmt.Println(err)
		return
	}
	f := adopt.Find(st)
	fmt.Println(f.Imports)
	fmt.Println(f.StateRemovals())

	stack, err := f.ApplyTo([]byte("config:\n  flip-hub:environment: stag # disposable\n"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(string(stack))
	// Output:
	// map[cognitoUserPool:eu-west-2_AbCdEf123]
	// [module.cognito.aws_cognito_user_pool.flip_user_pool]
	// config:
	//   flip-hub:environment: stag # disposable
	//   flip-hub:imports:
	//     cognitoUserPool: eu-west-2_AbCdEf123
	//   aws:region: eu-west-2
	//   aws:allowedAccountIds: ["111111111111"]
}
