package main

import (
	"fmt"
	"os"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/policyx"
)

func main() {
	if err := policyx.Main(newPack); err != nil {
		fmt.Fprintln(os.Stderr, "flip-hub policy pack:", err)
		os.Exit(1)
	}
}
