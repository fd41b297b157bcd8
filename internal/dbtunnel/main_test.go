package dbtunnel

import (
	"os"
	"testing"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

// One PostgreSQL server and one moto_server for the package.
var (
	pgServer *testpg.Server
	pgErr    error
	moto     *testmoto.Server
	motoErr  error
)

func TestMain(m *testing.M) {
	if os.Getenv(fakeRoleEnv) != "" {
		// This process is the fake aws CLI or plugin of a test; it runs no tests.
		fakeMain()
		return
	}
	var stopPG, stopMoto func()
	pgServer, stopPG, pgErr = testpg.StartMain()
	defer stopPG()
	moto, stopMoto, motoErr = testmoto.StartMain()
	defer stopMoto()
	m.Run()
}
