package status_test

import (
	"testing"

	"github.com/londonaicentre/flip-hub/internal/testmoto"
	"github.com/londonaicentre/flip-hub/internal/testpg"
)

// One moto_server and one PostgreSQL for the package.
var (
	moto    *testmoto.Server
	motoErr error
	pg      *testpg.Server
	pgErr   error
)

func TestMain(m *testing.M) {
	var stopMoto, stopPG func()
	moto, stopMoto, motoErr = testmoto.StartMain()
	pg, stopPG, pgErr = testpg.StartMain()
	defer stopMoto()
	defer stopPG()
	m.Run()
}
