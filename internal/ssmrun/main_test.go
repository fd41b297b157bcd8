package ssmrun_test

import (
	"testing"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
)

// moto is the moto_server shared by this package's tests; motoErr is why it is missing.
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
