package trustpkg_test

import (
	"testing"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// moto is the moto_server shared by this test binary; motoErr is why it is missing.
var (
	moto    *testmoto.Server
	motoErr error
)

func TestMain(m *testing.M) {
	var stop func()
	moto, stop, motoErr = testmoto.StartMain()
	defer stop()
	m.Run()
}
