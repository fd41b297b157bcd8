package testmoto_test

import (
	"testing"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// shared is the server StartMain started for this test binary; sharedErr is why it is missing.
var (
	shared    *testmoto.Server
	sharedErr error
)

func TestMain(m *testing.M) {
	var stop func()
	shared, stop, sharedErr = testmoto.StartMain()
	defer stop()
	m.Run()
}
